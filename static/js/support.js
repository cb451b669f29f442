// Progressive enhancement for the ticket page: choosing a canned response loads it at once.
// Without JavaScript the "Use this response" button does the same.
for (const select of document.querySelectorAll(".app-canned-picker select")) {
  select.addEventListener("change", () => select.form.submit());
}
