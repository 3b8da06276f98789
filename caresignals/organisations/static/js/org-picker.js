// Filter an organisation picker's radios as the person types (organisations/picker.py and
// organisations/_picker.jinja). Without this script the "Search" button does the same on the
// server. Words are folded as fold() in picker.py folds them, and match the starts of words
// as matching() does, so both match alike; nothing is listed until something is typed, and
// at most data-at-most matches are.

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
  const list = picker.querySelector("[data-org-picker-list]");
  const total = items.length;
  const noun = picker.dataset.noun || "organisations";
  const atMost = Number(picker.dataset.atMost) || 20;
  let timer = 0;

  const update = () => {
    const words = fold(box.value);
    let matched = 0;
    let visible = 0;
    for (const item of items) {
      const radio = item.querySelector("input");
      const text = ` ${item.dataset.search}`;
      const match = words.length > 0 && words.every((w) => text.includes(` ${w}`));
      if (match) matched += 1;
      // The one chosen stays in view even when the words leave it out.
      const show = (match && matched <= atMost) || radio.checked;
      item.classList.toggle(HIDDEN, !show);
      if (show) visible += 1;
    }
    list.classList.toggle(HIDDEN, visible === 0);
    const typed = box.value.trim();
    if (!words.length) {
      count.textContent = "";
    } else if (matched === 0) {
      count.textContent = `No ${noun} match “${typed}”. Check the spelling, or search for part of the name or the town.`;
    } else if (matched > atMost) {
      count.textContent = `${matched} of ${total} ${noun} match “${typed}”. The first ${atMost} are listed: ${matched - atMost} more — refine your search.`;
    } else {
      count.textContent = `${matched} of ${total} ${noun} match “${typed}”.`;
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
