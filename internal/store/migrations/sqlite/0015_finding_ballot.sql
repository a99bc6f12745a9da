-- A finding made of an appraisal ballot's comment names that ballot, so
-- that one comment becomes at most one finding and the results page can
-- link each comment to the finding it became. Ballot ids are random and
-- ballots carry no voter (see 0010), so this links a finding to a comment,
-- never to whoever wrote it. '' is a finding from any other source; no
-- foreign key, since '' names no ballot. The partial unique index is the
-- "at most once", also between two organizers promoting at the same time.
ALTER TABLE findings ADD COLUMN ballot_id TEXT NOT NULL DEFAULT '';
CREATE UNIQUE INDEX findings_ballot ON findings(ballot_id) WHERE ballot_id <> '';
