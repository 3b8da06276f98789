// Filter an organisation picker's radios as the person types (organisations/picker.py and
// organisations/_picker.jinja). Without this script the "Search" button does the same on the
// server. Words are folded as fold() in picker.py folds them, so both match alike.

const fold = (text) =>
  text
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/-/g, " ")
    .replace(/[^a-z0-9 ]+/g, "")
    .split(" ")
    .filter(Boolean);

const HIDDEN = "nhsuk-u-display-none";

function enhance(picker) {
  if (picker.dataset.orgPickerReady) return;
  picker.dataset.orgPickerReady = "yes";
  const box = picker.querySelector("[data-org-picker-search]");
  const count = picker.querySelector("[data-org-picker-count]");
  const items = [...picker.querySelectorAll("[data-org-picker-item]")];
  const total = items.length;
  const noun = picker.dataset.noun || "organisations";
  let timer = 0;

  const update = () => {
    const words = fold(box.value);
    let shown = 0;
    for (const item of items) {
      const radio = item.querySelector("input");
      const match = words.every((w) => item.dataset.search.includes(w));
      // The one chosen stays in view even when the words leave it out.
      item.classList.toggle(HIDDEN, !(match || radio.checked));
      if (match) shown += 1;
    }
    const typed = box.value.trim();
    if (!typed) {
      count.textContent = `${total} ${noun}, in alphabetical order.`;
    } else if (shown === 0) {
      count.textContent = `No ${noun} match “${typed}”. Check the spelling, or search for part of the name or the town.`;
    } else {
      count.textContent = `${shown} of ${total} ${noun} match “${typed}”.`;
    }
  };

  // Wait for a pause in typing, so a screen reader hears one count, not one per letter.
  box.addEventListener("input", () => {
    window.clearTimeout(timer);
    timer = window.setTimeout(update, 400);
  });
  // Enter in the box filters at once rather than sending the form.
  box.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault();
      window.clearTimeout(timer);
      update();
    }
  });
}

document.querySelectorAll("[data-org-picker]").forEach(enhance);
