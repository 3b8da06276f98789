// Record an event, first page: list only the service areas of the chosen organisation or
// service. The page works without this: the areas are grouped under each place, and the
// server refuses an area that does not fit the place.
const areaSelect = document.querySelector("select[data-cs-areas-follow]");
const placeSelect = areaSelect && document.getElementById(areaSelect.dataset.csAreasFollow);

if (areaSelect && placeSelect) {
  const prompt = areaSelect.options[0].cloneNode(true);
  const groups = Array.from(areaSelect.querySelectorAll("optgroup")).map((group) =>
    group.cloneNode(true),
  );

  const show = () => {
    const chosen = areaSelect.value;
    const group = groups.find((g) => g.dataset.place === placeSelect.value);
    areaSelect.replaceChildren(prompt.cloneNode(true));
    if (group) {
      // One place: its areas alone, without the group heading.
      for (const option of group.querySelectorAll("option")) {
        const copy = option.cloneNode(true);
        copy.selected = copy.value === chosen;
        areaSelect.append(copy);
      }
    } else {
      for (const g of groups) areaSelect.append(g.cloneNode(true));
    }
    if (areaSelect.value !== chosen) areaSelect.value = "";
  };

  // The answer already given (a draft, or a page shown again with errors) stays selected
  // when it fits the chosen place.
  show();
  placeSelect.addEventListener("change", show);
}
