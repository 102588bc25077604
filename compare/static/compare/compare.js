// The comparison form: while the server reads and compares the two texts, say so and stop double submits.
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (!form.classList.contains("compare-form")) return;
  var busy = form.querySelector(".busy");
  var button = form.querySelector("button[type=submit]");
  if (busy) busy.hidden = false;
  if (button) button.disabled = true;
});
// The side-by-side view: show only the clause pairs that differ.
document.addEventListener("change", function (event) {
  if (event.target.id !== "only-differences") return;
  document.getElementById("side-by-side").classList.toggle("only-diff", event.target.checked);
});
