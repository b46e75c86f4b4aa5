// Formulas to SVG when the book is built (booktools.sphinx.page_weight calls this), so that a page
// needs no MathJax in the browser: reads a JSON list of {"tex": ..., "display": true|false} on
// standard input, writes {"css": the stylesheet the SVGs need, "svg": [one <mjx-container> each]}.
// Each SVG draws its glyphs as paths in the text's colour (no web fonts), hidden from screen
// readers, which read the MathML beside it (MathJax's assistive MathML, as in the browser).
"use strict";
const { mathjax } = require("mathjax-full/js/mathjax.js");
const { TeX } = require("mathjax-full/js/input/tex.js");
const { SVG } = require("mathjax-full/js/output/svg.js");
const { liteAdaptor } = require("mathjax-full/js/adaptors/liteAdaptor.js");
const { RegisterHTMLHandler } = require("mathjax-full/js/handlers/html.js");
const { AssistiveMmlHandler } = require("mathjax-full/js/a11y/assistive-mml.js");
const { AllPackages } = require("mathjax-full/js/input/tex/AllPackages.js");

const adaptor = liteAdaptor();
AssistiveMmlHandler(RegisterHTMLHandler(adaptor));
const html = mathjax.document("", {
  InputJax: new TeX({ packages: AllPackages.filter((name) => name !== "bussproofs") }),
  OutputJax: new SVG({ fontCache: "none" }),
});

const formulas = JSON.parse(require("fs").readFileSync(0, "utf8"));
const svg = formulas.map(({ tex, display }) => {
  const node = html.convert(tex, { display: Boolean(display) });
  const errors = adaptor.tags(node, "merror");
  if (errors.length) {
    throw new Error(`TeX error in ${JSON.stringify(tex)}: ${adaptor.getAttribute(errors[0], "data-mjx-error") || adaptor.textContent(errors[0])}`);
  }
  return adaptor.outerHTML(node);
});
const css = adaptor.textContent(html.outputJax.styleSheet(html));
process.stdout.write(JSON.stringify({ css, svg }));
