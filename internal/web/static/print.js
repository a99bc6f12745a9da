// The print button of printable pages ([data-print]): hidden until script
// runs, it opens the browser's print dialog, where the page can also be
// saved as PDF. A file of its own: the content security policy forbids
// inline script.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-print]").forEach(function (b) {
    b.hidden = false;
    b.addEventListener("click", function () { window.print(); });
  });
});
