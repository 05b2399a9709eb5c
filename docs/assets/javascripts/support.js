// Consultant directory filters (region, sector, service). Without JavaScript every
// entry stays visible; with it, entries that do not match are hidden and the count
// says how many are shown. A consultant with no listed sector serves all sectors.
(function () {
  function setup() {
    document.querySelectorAll("form[data-cp-filter]").forEach(function (form) {
      if (form.dataset.ready) return;
      form.dataset.ready = "1";
      var cards = Array.prototype.slice.call(document.querySelectorAll(".cp-support-card[data-region]"));
      var output = form.querySelector("output");
      function apply() {
        var region = form.elements.region.value, sector = form.elements.sector.value, service = form.elements.service.value;
        var shown = 0;
        cards.forEach(function (card) {
          var sectors = card.dataset.sectors ? card.dataset.sectors.split(" ") : [];
          var ok = (!region || card.dataset.region === region || card.dataset.region === "national") &&
                   (!sector || sectors.length === 0 || sectors.indexOf(sector) >= 0) &&
                   (!service || card.dataset.services.split(" ").indexOf(service) >= 0);
          card.hidden = !ok;
          if (ok) shown += 1;
        });
        if (output) output.textContent = output.dataset.template.replace("{n}", String(shown));
      }
      form.addEventListener("change", apply);
      form.addEventListener("submit", function (event) { event.preventDefault(); });
    });
  }
  if (window.document$ && window.document$.subscribe) window.document$.subscribe(setup);
  else document.addEventListener("DOMContentLoaded", setup);
})();
