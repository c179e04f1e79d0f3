// The page docs/tools/editor_screenshots.py drives: Monaco (VS Code's editor component) with
// monaco-yaml, which runs yaml-language-server — the language server of VS Code's Red Hat YAML
// extension — in a web worker. The driver calls window.formEditor.open(...) with a form's text and
// the form schema, then types, hovers and presses keys like a person would.
// The package's main entry, not editor.api.js: only it gives createWebWorker the moduleId/createData
// form that monaco-yaml's worker manager calls.
import * as monaco from 'monaco-editor'
import { configureMonacoYaml } from 'monaco-yaml'

// The workers are separate bundles next to this one (see editor_screenshots.py's esbuild call).
globalThis.MonacoEnvironment = {
  getWorker(_moduleId, label) {
    const file = label === 'yaml' ? 'yaml.worker.js' : 'editor.worker.js'
    return new Worker(new URL(file, import.meta.url), { type: 'module' })
  }
}

let editor = null

/**
 * Open `text` as the file `path` (relative to the repository, e.g. forms/customer/customer_record.yaml)
 * with `schema` known to the language server as `schemaPath` (e.g. schemas/form.schema.json) but
 * matched to no file: the form's own first line
 * `# yaml-language-server: $schema=../../schemas/form.schema.json` resolves to that URI, so the
 * server picks the schema exactly as it does in VS Code (a form without that line gets no schema).
 */
function open({ path, text, schema, schemaPath }) {
  const fileUri = monaco.Uri.parse(`file:///${path}`)
  configureMonacoYaml(monaco, {
    enableSchemaRequest: false,
    hover: true,
    completion: true,
    validate: true,
    format: false,
    schemas: [{ uri: `file:///${schemaPath}`, fileMatch: [], schema }]
  })
  const model = monaco.editor.createModel(text, 'yaml', fileUri)
  editor = monaco.editor.create(document.getElementById('editor'), {
    model,
    automaticLayout: true,
    fontFamily: "'DejaVu Sans Mono', 'Noto Sans Mono CJK SC', monospace",
    fontSize: 14,
    lineHeight: 21,
    minimap: { enabled: false },
    stickyScroll: { enabled: false }, // its pinned header lines would break the line numbers in a still picture
    scrollBeyondLastLine: true,
    renderWhitespace: 'none',
    hover: { delay: 200, sticky: true },
    // The list opens only on Ctrl+Space, not while the driver types; no list of the file's words
    // in place of the language server's keys if the server ever fails.
    quickSuggestions: false,
    wordBasedSuggestions: 'off',
    fixedOverflowWidgets: false
  })
  editor.focus()
}

/** The markers (problems) the language server reported for the open file. */
function markers() {
  return monaco.editor.getModelMarkers({ resource: editor.getModel().uri }).map((m) => ({
    line: m.startLineNumber,
    column: m.startColumn,
    endColumn: m.endColumn,
    severity: m.severity,
    message: m.message
  }))
}

/** The 1-based line number of the first line containing `needle`, or 0. */
function findLine(needle) {
  const lines = editor.getModel().getLinesContent()
  return lines.findIndex((line) => line.includes(needle)) + 1
}

/** The text of line `line` (1-based). */
function editorLine(line) {
  return editor.getModel().getLineContent(line)
}

/** Page coordinates of the middle of the character at (line, column), after revealing it. */
function pointAt(line, column) {
  editor.revealLineInCenter(line)
  const at = editor.getScrolledVisiblePosition({ lineNumber: line, column })
  const box = editor.getDomNode().getBoundingClientRect()
  return { x: box.left + at.left + 4, y: box.top + at.top + at.height / 2 }
}

/** Put the caret at (line, column). */
function placeCaret(line, column) {
  editor.setPosition({ lineNumber: line, column })
  editor.revealLine(line)
  editor.focus()
}

/** Scroll (as the mouse wheel would) so the caret's line is `rows` lines below the top. */
function scrollCaretTo(rows) {
  const line = editor.getPosition().lineNumber
  const height = editor.getOption(monaco.editor.EditorOption.lineHeight)
  editor.setScrollTop(Math.max(0, editor.getTopForLineNumber(line) - rows * height))
}

window.formEditor = { open, markers, findLine, editorLine, pointAt, placeCaret, scrollCaretTo, ready: true }
