import JSZip from 'jszip';

/**
 * Real files built in tests, so parsers run on the same bytes a user's files would give them
 * (a hand-written PDF with a correct xref table, a zip-packaged .docx), not on mocks.
 */

/** One page's lines, each drawn 16pt below the last; an empty string leaves a blank line (a paragraph gap). */
export type PdfPage = string[];

const pdfString = (text: string): string => text.replace(/[\\()]/g, (c) => `\\${c}`);

/**
 * A minimal PDF 1.4 with Helvetica text. `encrypted` adds a Standard security handler whose user password is
 * not empty (random O/U entries), which is what a password-protected file looks like to a reader.
 */
export function buildPdf(pages: PdfPage[], options: { title?: string; encrypted?: boolean } = {}): Buffer {
  const objects: string[] = ['<< /Type /Catalog /Pages 2 0 R >>'];
  const fontId = 3 + pages.length * 2;
  objects.push(
    `<< /Type /Pages /Kids [${pages.map((_, i) => `${3 + i * 2} 0 R`).join(' ')}] /Count ${pages.length} >>`,
  );
  pages.forEach((lines, i) => {
    objects.push(
      `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 ${fontId} 0 R >> >> /Contents ${4 + i * 2} 0 R >>`,
    );
    const ops = lines
      .map((line, j) => (line ? `BT /F1 12 Tf 72 ${720 - j * 16} Td (${pdfString(line)}) Tj ET` : ''))
      .filter(Boolean)
      .join('\n');
    objects.push(`<< /Length ${Buffer.byteLength(ops, 'latin1')} >>\nstream\n${ops}\nendstream`);
  });
  objects.push('<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>');
  let trailerExtra = '';
  if (options.title !== undefined) {
    objects.push(`<< /Title (${pdfString(options.title)}) >>`);
    trailerExtra += ` /Info ${objects.length} 0 R`;
  }
  if (options.encrypted) {
    objects.push(`<< /Filter /Standard /V 1 /R 2 /O <${'ab'.repeat(32)}> /U <${'cd'.repeat(32)}> /P -4 >>`);
    trailerExtra += ` /Encrypt ${objects.length} 0 R /ID [<${'01'.repeat(16)}> <${'01'.repeat(16)}>]`;
  }
  let out = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(Buffer.byteLength(out, 'latin1'));
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = Buffer.byteLength(out, 'latin1');
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  out += offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('');
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R${trailerExtra} >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

/** A .docx paragraph: its Word style (Title, Heading1, Heading2, or none for body text) and text. */
export interface DocxParagraph {
  style?: 'Title' | 'Heading1' | 'Heading2';
  text: string;
}

const xmlText = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const ns = 'http://schemas.openxmlformats.org';

/** A minimal Word document (content types, relationships, styles, body) zipped like Word does. */
export async function buildDocx(paragraphs: DocxParagraph[]): Promise<Buffer> {
  const style = (id: string, name: string): string =>
    `<w:style w:type="paragraph" w:styleId="${id}"><w:name w:val="${name}"/></w:style>`;
  const body = paragraphs
    .map((p) => {
      const props = p.style ? `<w:pPr><w:pStyle w:val="${p.style}"/></w:pPr>` : '';
      return `<w:p>${props}<w:r><w:t xml:space="preserve">${xmlText(p.text)}</w:t></w:r></w:p>`;
    })
    .join('');
  const zip = new JSZip();
  zip.file(
    '[Content_Types].xml',
    `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="${ns}/package/2006/content-types">` +
      `<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
      `<Default Extension="xml" ContentType="application/xml"/>` +
      `<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>` +
      `<Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/></Types>`,
  );
  zip.file(
    '_rels/.rels',
    `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="${ns}/package/2006/relationships">` +
      `<Relationship Id="rId1" Type="${ns}/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>`,
  );
  zip.file(
    'word/_rels/document.xml.rels',
    `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="${ns}/package/2006/relationships">` +
      `<Relationship Id="rId1" Type="${ns}/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>`,
  );
  zip.file(
    'word/styles.xml',
    `<?xml version="1.0" encoding="UTF-8"?><w:styles xmlns:w="${ns}/wordprocessingml/2006/main">` +
      style('Title', 'Title') +
      style('Heading1', 'heading 1') +
      style('Heading2', 'heading 2') +
      `</w:styles>`,
  );
  zip.file(
    'word/document.xml',
    `<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="${ns}/wordprocessingml/2006/main"><w:body>${body}</w:body></w:document>`,
  );
  return zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' });
}
