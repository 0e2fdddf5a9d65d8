// A little help on top of pages that work without it.
(function () {
  "use strict";

  // Buy: show the total for the chosen plan and quantity.
  var plan = document.getElementById("plan_id");
  var quantity = document.getElementById("quantity");
  var total = document.getElementById("order-total");
  function updateTotal() {
    if (!plan || !quantity || !total) { return; }
    var option = plan.options[plan.selectedIndex];
    var price = option ? Number(option.getAttribute("data-price-minor")) : NaN;
    var currency = option ? option.getAttribute("data-currency") : "";
    // The server says how many decimals the currency has (JPY none, BHD three): the table lives there only.
    var exponent = option ? Number(option.getAttribute("data-exponent")) : NaN;
    var n = Number(quantity.value);
    if (!isFinite(price) || !isFinite(exponent) || !Number.isInteger(n) || n <= 0) { total.textContent = "—"; return; }
    total.textContent = formatMinor(BigInt(option.getAttribute("data-price-minor")) * BigInt(n), exponent) + " " + currency;
  }

  // Minor units as the server's Money writes them for people ("1,225.00", "4,500", "1.250"): whole numbers only,
  // no floating point, so the total shown is the total charged.
  function formatMinor(minor, exponent) {
    var digits = minor.toString().padStart(exponent + 1, "0");
    var whole = digits.slice(0, digits.length - exponent).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    return exponent === 0 ? whole : whole + "." + digits.slice(digits.length - exponent);
  }
  if (plan && quantity) {
    plan.addEventListener("change", updateTotal);
    quantity.addEventListener("input", updateTotal);
    updateTotal();
  }

  // Assign: count the references typed, one per line.
  var refs = document.getElementById("references");
  var refCount = document.getElementById("references-count");
  function updateRefs() {
    if (!refs || !refCount) { return; }
    var n = refs.value.split(/\r?\n/).filter(function (l) { return l.trim().length > 0; }).length;
    refCount.textContent = n === 0 ? "No references: the count above is used." : n + (n === 1 ? " license" : " licenses") + ", one per reference.";
  }
  if (refs) { refs.addEventListener("input", updateRefs); updateRefs(); }

  // On a phone the links scroll sideways in the header: bring the current page's link into view.
  var current = document.querySelector(".sidebar .links a[aria-current=page]");
  if (current && current.parentElement.scrollWidth > current.parentElement.clientWidth) {
    current.parentElement.scrollLeft = current.offsetLeft - 12;
  }

  // Copy buttons next to secrets shown once.
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    button.addEventListener("click", function () {
      var target = document.getElementById(button.getAttribute("data-copy"));
      if (!target || !navigator.clipboard) { return; }
      navigator.clipboard.writeText(target.textContent.trim()).then(function () {
        var label = button.textContent;
        button.textContent = "Copied";
        setTimeout(function () { button.textContent = label; }, 1500);
      });
    });
  });

  // The CSV of new keys can be downloaded once: say so after the click.
  var csv = document.getElementById("download-csv");
  if (csv) {
    csv.addEventListener("submit", function () {
      var button = csv.querySelector("button");
      setTimeout(function () {
        button.disabled = true;
        button.textContent = "Downloaded — keep the file safe";
      }, 50);
    });
  }
})();
