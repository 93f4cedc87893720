// Swagger UI draws its examples as scrolling code blocks that a keyboard cannot reach:
// make each one focusable (and named) as it appears, so it can be scrolled without a mouse.
"use strict";
new MutationObserver(() => {
  for (const block of document.querySelectorAll(".swagger-ui .body-param__example:not([tabindex]), .swagger-ui .highlight-code pre:not([tabindex])")) {
    block.setAttribute("tabindex", "0");
    block.setAttribute("aria-label", "Example");
  }
}).observe(document.body, { childList: true, subtree: true });
