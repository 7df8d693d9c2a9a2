// A plain-HTML API reference rendered on the server from the OpenAPI document: no scripts, no
// CDN, so it works offline, behind Access, and under the admin CSP.

interface Param {
  name: string;
  in: string;
  required?: boolean;
  description?: string;
}
interface Op {
  operationId?: string;
  summary?: string;
  description?: string;
  tags?: string[];
  parameters?: Param[];
  requestBody?: { content?: Record<string, { schema?: { $ref?: string }; example?: unknown }> };
  responses?: Record<string, { description?: string }>;
}
export interface OpenApiDoc {
  info: { title: string; description?: string };
  servers?: { url: string }[];
  paths: Record<string, Record<string, Op>>;
}

const html = (s: string) =>
  s.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch] ?? ch);
const refName = (ref?: string) => ref?.split('/').pop() ?? '';

function operation(path: string, method: string, op: Op, base: string): string {
  const id = op.operationId ?? `${method}-${path}`;
  const params = (op.parameters ?? [])
    .map(
      (p) =>
        `<li><code>${html(p.name)}</code> (${p.in}${p.required ? ', required' : ''})${p.description ? ` — ${html(p.description)}` : ''}</li>`,
    )
    .join('');
  const body = op.requestBody?.content?.['application/json'];
  const example = body?.example === undefined ? '' : `<pre>${html(JSON.stringify(body.example, null, 2))}</pre>`;
  const responses = Object.entries(op.responses ?? {})
    .map(([status, r]) => `<li><code>${status}</code> ${html(r.description ?? '')}</li>`)
    .join('');
  return `<section id="${html(id)}">
<h3><code>${method.toUpperCase()} ${html(base + path)}</code> — ${html(op.summary ?? '')}</h3>
<p>operationId <code>${html(id)}</code></p>
${params ? `<h4>Parameters</h4><ul>${params}</ul>` : ''}
${body ? `<h4>Body</h4><p><code>${html(refName(body.schema?.$ref) || 'JSON')}</code></p>${example}` : ''}
<h4>Responses</h4><ul>${responses}</ul>
</section>`;
}

/** The whole reference: a table of contents by tag, then every operation with its statuses. */
export function renderReference(doc: OpenApiDoc, links: { openapi: string; streams: string }): string {
  const base = doc.servers?.[0]?.url ?? '';
  const ops = Object.entries(doc.paths).flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => ({ path, method, op })));
  const toc = ops
    .map(({ path, method, op }) => `<li><a href="#${html(op.operationId ?? '')}">${html(op.summary ?? `${method} ${path}`)}</a></li>`)
    .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${html(doc.info.title)}</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:auto;padding:1rem}pre{background:#f4f4f4;padding:.5rem;overflow:auto}section{border-top:1px solid #ddd}code{word-break:break-word}</style>
</head><body>
<h1>${html(doc.info.title)}</h1>
<p>${html(doc.info.description ?? '')}</p>
<p>Machine-readable: <a href="${links.openapi}">OpenAPI 3.1</a> · <a href="${links.streams}">streams (AsyncAPI 3.0)</a></p>
<h2>Operations</h2><ul>${toc}</ul>
${ops.map(({ path, method, op }) => operation(path, method, op, base)).join('\n')}
</body></html>`;
}
