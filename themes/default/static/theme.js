/* Runs in <head> before first paint: marks JS as available and applies the saved theme. */
(function (d) {
  d.classList.add("js");
  try {
    var t = localStorage.getItem("handbook-theme");
    if (t === "light" || t === "dark") d.setAttribute("data-theme", t);
  } catch (e) { /* storage unavailable (e.g. file:// in some browsers) */ }
})(document.documentElement);
