// Preloaded into the node process that jsii starts (`NODE_OPTIONS=--require <this file>`, set by
// toolchain/lazy_node.py). A prebuilt cdktf provider's entry point is nothing but one line
// `exports.<name> = require("./<folder>");` per resource and data source: node compiles and runs
// all 2,212 AWS submodules (about 1.7 s and 450 MB) although a stack uses a few dozen. For the
// packages named in LAZY_REQUIRE_PACKAGES this hook reads that entry point, and instead of running
// it gives `exports` one getter per line that requires the submodule on first access. jsii finds a
// class by walking the exports (`closure.vpc.Vpc`), so it reaches the getter and loads what it
// needs. The submodule map comes from the installed entry point itself each time; the file on disk
// is left as it is. cdktn's entry points write each line as
// `exports.<name> = __importStar(require("./<folder>/index"));`, after the three helpers tslib's
// `importHelpers`-less output declares (`__createBinding`, `__setModuleDefault`, `__importStar`):
// then the getter runs the entry point's own `__importStar` on the submodule, as the line would.
// An entry point of any other shape runs as it is, and one line on stderr says so.
"use strict";

const Module = require("node:module");
const path = require("node:path");

const PACKAGES = new Set((process.env.LAZY_REQUIRE_PACKAGES || "").split(",").filter(Boolean));
const NODE_MODULES = `${path.sep}node_modules${path.sep}`;

const IDENTIFIER = "[A-Za-z_$][\\w$]*";
// The lines TypeScript writes for `export * as <name> from "./<folder>";`, in the generator's order.
const USE_STRICT = '"use strict";';
const ES_MODULE = 'Object.defineProperty(exports, "__esModule", { value: true });';
const DECLARE = new RegExp(`^exports\\.${IDENTIFIER}(?: = exports\\.${IDENTIFIER})* = void 0;$`);
// A request is `./<folder>` or `./<folder>/index`: inside the package, never `..`.
const REQUEST = "\\./[\\w-][\\w.-]*(?:/index)?";
const REQUIRE = new RegExp(`^exports\\.(${IDENTIFIER}) = require\\("(${REQUEST})"\\);$`);
const IMPORT_STAR = new RegExp(
  `^exports\\.(${IDENTIFIER}) = __importStar\\(require\\("(${REQUEST})"\\)\\);$`,
);
// The helpers TypeScript writes above an `import * as` compiled to CommonJS, in its order.
const HELPERS = ["__createBinding", "__setModuleDefault", "__importStar"];
const HELPER_START = /^var (__\w+) = \(this && this\.\1\) \|\| /;

/** The names `exports.a = exports.b = void 0;` declares, in the order it creates them. */
function declaredNames(line) {
  return line
    .slice(0, -" = void 0;".length)
    .split(" = ")
    .map((target) => target.slice("exports.".length))
    .reverse(); // a chained assignment assigns from the right
}

/** Drop comment lines and blank lines; undefined when a block comment shares a line with code. */
function codeLines(source) {
  const lines = [];
  let inComment = false;
  for (const raw of source.split(/\r?\n/)) {
    const line = raw.trim();
    if (inComment) {
      inComment = !line.endsWith("*/");
    } else if (line.startsWith("/*")) {
      inComment = !line.endsWith("*/");
    } else if (line !== "" && !line.startsWith("//")) {
      if (line.includes("/*")) return undefined;
      lines.push(line);
    }
  }
  return lines;
}

/**
 * The helper block between "use strict" and the __esModule line: [its source, the names it
 * declares at the top level], or a string saying what differs from TypeScript's helpers.
 */
function helperBlock(lines) {
  const declared = [];
  for (const line of lines) {
    // The helpers touch only their arguments: code that requires or exports is something else.
    if (/\brequire\b|\bexports\b/.test(line)) return `unexpected statement: ${line.slice(0, 80)}`;
    const start = HELPER_START.exec(line);
    if (start !== null) declared.push(start[1]);
  }
  if (declared.length === 0) return [undefined, declared];
  if (declared.join() !== HELPERS.join()) return `unexpected helpers: ${declared.join(", ")}`;
  return [lines.join("\n"), declared];
}

/**
 * The submodule map of an entry point made only of the prologue (with or without TypeScript's
 * import helpers), `exports.* = void 0;` declarations and one `exports.<name> = require(...)`
 * line per submodule, all plain or all through `__importStar`, each name declared and required
 * exactly once: [name order, Map name -> request, helper source or undefined]. A string saying
 * what differs otherwise.
 */
function submoduleMap(source) {
  const lines = codeLines(source);
  if (lines === undefined) return "a comment shares a line with code";
  if (lines[0] !== USE_STRICT) return `expected ${USE_STRICT} at the top`;
  const esModule = lines.indexOf(ES_MODULE);
  if (esModule === -1) return `expected ${ES_MODULE} at the top`;
  const helpers = helperBlock(lines.slice(1, esModule));
  if (typeof helpers === "string") return helpers;
  if (helpers[0] === undefined && esModule !== 1) return `expected ${ES_MODULE} at the top`;
  const line = helpers[0] === undefined ? REQUIRE : IMPORT_STAR;
  let next = esModule + 1;
  const order = [];
  for (; next < lines.length && DECLARE.test(lines[next]); next += 1) {
    order.push(...declaredNames(lines[next]));
  }
  const requests = new Map();
  for (; next < lines.length; next += 1) {
    const match = line.exec(lines[next]);
    if (match === null) return `unexpected statement: ${lines[next].slice(0, 80)}`;
    if (requests.has(match[1])) return `exports.${match[1]} is required twice`;
    requests.set(match[1], match[2]);
  }
  if (requests.size === 0) return "no submodule is required";
  if (order.length !== requests.size || !order.every((name) => requests.has(name))) {
    return "the declared exports are not the required ones";
  }
  return [order, requests, helpers[0]];
}

/** The entry point's own `__importStar`, run as its first lines would (`this` is `exports`). */
function importStar(helpers, exports) {
  return new Function(`${helpers}\nreturn __importStar;`).call(exports);
}

/** Give `module.exports` what the entry point would assign, each submodule loaded on first use. */
function defineLazyExports(module, order, requests, helpers) {
  const exports = module.exports;
  const wrap = helpers === undefined ? (value) => value : importStar(helpers, exports);
  Object.defineProperty(exports, "__esModule", { value: true });
  for (const name of order) {
    const settle = (value) =>
      Object.defineProperty(exports, name, {
        value,
        writable: true,
        enumerable: true,
        configurable: true,
      });
    Object.defineProperty(exports, name, {
      enumerable: true,
      configurable: true,
      get() {
        const value = wrap(module.require(requests.get(name)));
        settle(value);
        return value;
      },
      set: settle,
    });
  }
}

const entryPoints = new Map();

/** The package in PACKAGES whose entry point (as node resolves the package name) is `filename`. */
function targetPackage(filename) {
  const at = filename.lastIndexOf(NODE_MODULES);
  if (at === -1) return undefined;
  const parts = filename.slice(at + NODE_MODULES.length).split(path.sep);
  const name = parts[0].startsWith("@") ? `${parts[0]}/${parts[1]}` : parts[0];
  if (!PACKAGES.has(name)) return undefined;
  const base = filename.slice(0, at);
  const key = `${base}\0${name}`;
  if (!entryPoints.has(key)) entryPoints.set(key, entryPoint(base, name));
  return entryPoints.get(key) === filename ? name : undefined;
}

/** The file `require(name)` loads from `base`, or undefined if it does not resolve. */
function entryPoint(base, name) {
  try {
    return Module.createRequire(path.join(base, "noop.js")).resolve(name);
  } catch {
    return undefined; // then `filename` is no entry point that `require(name)` would load
  }
}

if (PACKAGES.size > 0) {
  const compile = Module.prototype._compile;
  Module.prototype._compile = function lazyCompile(content, filename, ...rest) {
    const name = targetPackage(filename);
    if (name === undefined) return compile.call(this, content, filename, ...rest);
    const map = submoduleMap(content);
    if (typeof map === "string") {
      process.stderr.write(
        `lazy_require: ${name} loads eagerly: ${filename} is not a list of submodule requires ` +
          `(${map})\n`,
      );
      return compile.call(this, content, filename, ...rest);
    }
    defineLazyExports(this, ...map);
    return undefined;
  };
}
