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
