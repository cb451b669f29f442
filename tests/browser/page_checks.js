// Checks beyond axe-core, run on every page the browser journeys reach (conftest.assert_accessible).
// Returns a list of problems, one line each; an empty list means the page passes.
() => {
  const problems = [];
  const describe = (el) => {
    let text = '<' + el.tagName.toLowerCase();
    for (const name of ['id', 'name', 'type', 'class']) {
      if (el.getAttribute(name)) text += ` ${name}="${el.getAttribute(name)}"`;
    }
    return text + '>';
  };
  const squash = (text) => (text || '').replace(/\s+/g, ' ').trim();

  // 1. Every id is unique (axe-core's duplicate-id rules are deprecated).
  const ids = new Map();
  for (const el of document.querySelectorAll('[id]')) {
    ids.set(el.id, (ids.get(el.id) || 0) + 1);
  }
  for (const [id, count] of ids) {
    if (count > 1) problems.push(`duplicate id: ${count} elements have id="${id}"`);
  }

  // 2. Every form control has exactly one label pointing at it, or an aria-label(ledby).
  const controls = document.querySelectorAll(
    'input:not([type=hidden]):not([type=submit]):not([type=button]):not([type=reset]):not([type=image]), select, textarea');
  for (const el of controls) {
    // A control hidden from everyone (GOV.UK's file upload hides its <input> behind a button
    // that takes over its id and label) needs no label of its own.
    if (el.closest('[hidden], [aria-hidden="true"]')) continue;
    let labels = el.id ? document.querySelectorAll(`label[for="${CSS.escape(el.id)}"]`).length : 0;
    const wrapping = el.closest('label');
    if (wrapping && !wrapping.htmlFor) labels += 1;
    const aria = el.getAttribute('aria-label') || el.getAttribute('aria-labelledby');
    if (labels > 1) problems.push(`control with ${labels} labels: ${describe(el)}`);
    else if (labels === 0 && !aria) problems.push(`control with no label: ${describe(el)}`);
  }
  for (const label of document.querySelectorAll('label[for]')) {
    const target = document.getElementById(label.htmlFor);
    if (!target) problems.push(`label "${squash(label.textContent)}" points at id="${label.htmlFor}", which is not on the page`);
    else if (!target.matches('input, select, textarea, button, meter, output, progress')) {
      problems.push(`label "${squash(label.textContent)}" points at ${describe(target)}, which is not a form control`);
    }
  }

  // 3. Right-to-left text is isolated: its nearest element that sets a direction (<bdi>, or a
  //    dir attribute, <html dir="rtl"> included) is not left to right.
  const RTL = /[\u0590-\u08FF\uFB1D-\uFDFF\uFE70-\uFEFF]|\uD802[\uDC00-\uDFFF]|\uD803[\uDC00-\uDFFF]|\uD83A[\uDC00-\uDFFF]|\uD83B[\uDC00-\uDEFF]/;
  const direction = (el) => {
    for (let node = el; node; node = node.parentElement) {
      if (node.tagName === 'BDI') return node.getAttribute('dir') || 'auto';
      if (node.hasAttribute('dir')) return node.getAttribute('dir').toLowerCase();
    }
    return 'ltr';
  };
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const reported = new Set();
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!parent || parent.closest('script, style, noscript, template')) continue;
    if (!RTL.test(node.nodeValue)) continue;
    if (direction(parent) === 'ltr' && !reported.has(parent)) {
      reported.add(parent);
      problems.push(`right-to-left text not isolated (wrap it in <bdi> or give it dir): "${squash(node.nodeValue).slice(0, 60)}" in ${describe(parent)}`);
    }
  }
  for (const el of document.querySelectorAll('input, textarea')) {
    if (RTL.test(el.value || '') && direction(el) === 'ltr') {
      problems.push(`right-to-left value in a left-to-right control (give it dir="auto"): ${describe(el)}`);
    }
  }
  for (const el of document.querySelectorAll('[aria-label], [title], [alt], [placeholder]')) {
    for (const name of ['aria-label', 'title', 'alt', 'placeholder']) {
      const value = el.getAttribute(name);
      if (value && RTL.test(value) && direction(el) === 'ltr') {
        problems.push(`right-to-left ${name} on a left-to-right element: ${describe(el)}`);
      }
    }
  }

  // 4. The page names what it shows: one <h1>; the <title> contains its text; an object's
  //    heading is not a bare "Allocation 42" (a kind and a database number).
  const headings = document.querySelectorAll('h1');
  const title = squash(document.title);
  if (headings.length !== 1) problems.push(`${headings.length} <h1> elements (one expected)`);
  if (headings.length) {
    const h1 = squash(headings[0].innerText || headings[0].textContent);
    if (!h1) problems.push('the <h1> is empty');
    else if (!title.toLowerCase().includes(h1.toLowerCase())) problems.push(`<title> "${title}" does not contain the <h1> "${h1}"`);
    const bare = /^[\p{L} ]+\s#?\d+$/u;
    if (bare.test(h1)) problems.push(`the <h1> "${h1}" names a database number, not what a person knows the object by`);
    if (bare.test(title.split(/ [–|-] /)[0])) problems.push(`the <title> "${title}" names a database number`);
  }
  if (!title) problems.push('the page has no <title>');

  // 5. Tables fit: at the test's 1280 px viewport no table is wider than its container, unless
  //    it is in a scroll container that says so: marked data-scrolls, focusable (tabindex=0),
  //    named, and described by a visible sentence saying it scrolls. (Django's admin, which is
  //    not our markup, scrolls its own change lists.)
  const admin = location.pathname.startsWith('/admin/');
  for (const table of document.querySelectorAll('table')) {
    const box = table.parentElement;
    if (admin || !box || !table.offsetParent) continue;
    const scroller = table.closest('[data-scrolls]');
    const hint = scroller && document.getElementById(scroller.getAttribute('aria-describedby') || '');
    if (scroller && scroller.getAttribute('tabindex') === '0' && scroller.getAttribute('aria-label') && hint && hint.offsetParent) continue;
    if (table.scrollWidth > box.clientWidth + 1) {
      const caption = table.caption ? squash(table.caption.textContent) : describe(table);
      problems.push(`table "${caption.slice(0, 60)}" is ${table.scrollWidth}px wide in a ${box.clientWidth}px container at ${window.innerWidth}px`);
    }
  }
  return problems;
}
