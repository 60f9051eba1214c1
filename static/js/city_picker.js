// Picking a city from the <datalist id="city-options"> stores its gazetteer id in
// #id_geoname_id; typing freely clears it. Delegated from the document, so it works however
// the form arrived (a page load or an htmx swap). A file of its own: the
// Content-Security-Policy runs no inline script.
document.addEventListener("input", function (event) {
  if (event.target.id !== "id_city") {
    return;
  }
  const geonameId = document.getElementById("id_geoname_id");
  if (!geonameId) {
    return;
  }
  const options = document.querySelectorAll("#city-options option");
  const option = Array.from(options).find((o) => o.value === event.target.value);
  geonameId.value = option ? option.dataset.geonameId : "";
});
