// Start the NHS.UK design system's components (menus, error summaries, character counts).
import { initAll } from "./nhsuk-frontend.min.js";

initAll();
