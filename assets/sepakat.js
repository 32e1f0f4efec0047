// Small enhancements; every page works without them.
// A button with data-salin="ID" copies the text of the field ID.
document.addEventListener("click", function (e) {
  var b = e.target.closest("[data-salin]");
  if (!b) return;
  var f = document.getElementById(b.getAttribute("data-salin"));
  if (!f || !navigator.clipboard) return;
  navigator.clipboard.writeText(f.value || f.textContent).then(function () {
    b.textContent = "Tersalin";
  });
});

// A form with data-konfirmasi="…" (disabling an account, deleting a
// holiday, revoking a calendar address) asks before it is sent.
document.addEventListener("submit", function (e) {
  var m = e.target.getAttribute && e.target.getAttribute("data-konfirmasi");
  if (m && !window.confirm(m)) e.preventDefault();
});
