package notify

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"io"
	"log"
	"math/big"
	"net"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// testCert is a certificate for 127.0.0.1 and the pool that trusts it.
func testCert(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}

// TestEmailTLS: STARTTLS (smtp://, required with a password) and
// implicit TLS (smtps://) against a server that refuses AUTH in clear.
func TestEmailTLS(t *testing.T) {
	cert, pool := testCert(t)
	for _, implicit := range []bool{false, true} {
		mb := &mailbox{}
		s := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &session{mb: mb}, nil }))
		s.Domain = "localhost"
		s.ErrorLog = log.New(io.Discard, "", 0) // the refused handshake below
		s.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}}
		var l net.Listener
		var err error
		if implicit {
			l, err = tls.Listen("tcp", "127.0.0.1:0", s.TLSConfig)
		} else {
			l, err = net.Listen("tcp", "127.0.0.1:0")
		}
		if err != nil {
			t.Fatal(err)
		}
		go func() { _ = s.Serve(l) }()
		c := EmailConfig{Host: "127.0.0.1", Port: portOf(t, l.Addr().String()), Username: smtpUser, Password: smtpPass,
			From: "noreply@example.org", ImplicitTLS: implicit, TLSConfig: &tls.Config{RootCAs: pool}, Timeout: 5 * time.Second}
		if err := (Email{Config: c}).Send(context.Background(), chineseMessage); err != nil {
			t.Errorf("implicit TLS %v: %v", implicit, err)
		}
		mb.mu.Lock()
		if len(mb.mails) != 1 {
			t.Errorf("implicit TLS %v: %d mails", implicit, len(mb.mails))
		}
		mb.mu.Unlock()
		// A certificate nobody vouches for: refused, for good.
		c.TLSConfig = nil
		if err := (Email{Config: c}).Send(context.Background(), chineseMessage); err == nil || !Permanent(err) {
			t.Errorf("implicit TLS %v, untrusted certificate: %v, permanent %v", implicit, err, Permanent(err))
		}
		s.Close()
	}
}
