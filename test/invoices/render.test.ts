import t from 'tap';
import { getDocument, OPS } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { formatDate, formatMoney, formatPeriod } from '../../src/modules/invoices/render/format.ts';
import { renderInvoiceHtml } from '../../src/modules/invoices/render/html.ts';
import { renderInvoicePdf } from '../../src/modules/invoices/render/pdf.ts';
import { swishPayload } from '../../src/modules/invoices/render/swish-qr.ts';
import { creditNote, draftInvoice, enInvoice, longInvoice, svInvoice } from './fixtures.ts';

const NBSP = '\u00a0';
// Amounts are written with non-breaking spaces; '8 148,00 kr' below means that.
const nb = (s: string) => s.replaceAll(' ', NBSP);
// PDF text comes back in runs with arbitrary spacing: compare with all whitespace collapsed.
const flat = (s: string) => s.replace(/\s+/g, ' ');

interface ParsedPdf {
  pages: string[];
  info: Record<string, unknown>;
  images: number[]; // images drawn per page
}

async function parsePdf(bytes: Buffer): Promise<ParsedPdf> {
  const task = getDocument({ data: new Uint8Array(bytes), verbosity: 0 });
  const pdf = await task.promise;
  try {
    const pages: string[] = [];
    const images: number[] = [];
    for (let i = 1; i <= pdf.numPages; i++) {
      const page = await pdf.getPage(i);
      const content = await page.getTextContent();
      pages.push(flat(content.items.map((item) => ('str' in item ? item.str : '')).join(' ')));
      const ops = await page.getOperatorList();
      images.push(ops.fnArray.filter((fn) => fn === OPS.paintImageXObject).length);
    }
    const { info } = await pdf.getMetadata();
    return { pages, info: info as Record<string, unknown>, images };
  } finally {
    await task.destroy();
  }
}

t.test('formatting', async (t) => {
  t.equal(formatMoney(814800, 'SEK', 'sv'), nb('8 148,00 kr'));
  t.equal(formatMoney(-38, 'SEK', 'sv'), '-0,38' + NBSP + 'kr');
  t.equal(formatMoney(123450, 'SEK', 'en'), 'SEK' + NBSP + '1,234.50');
  t.equal(formatMoney(123450, 'EUR', 'sv'), nb('1 234,50 EUR'));
  t.equal(formatMoney(5, 'EUR', 'en'), 'EUR' + NBSP + '0.05');
  t.equal(formatMoney(1234, 'JPY', 'en'), 'JPY' + NBSP + '1,234', 'currencies without minor units');
  t.equal(formatDate('2026-11-25', 'sv'), '2026-11-25');
  t.equal(formatDate('2026-11-25', 'en'), '25 Nov 2026');
  t.equal(formatPeriod('2026-11-01', '2026-12-01', 'sv'), '1–30 nov 2026', 'exclusive end shown as the day before');
  t.equal(formatPeriod('2026-11-15', '2026-12-15', 'en'), '15 Nov – 14 Dec 2026');
  t.equal(formatPeriod('2026-12-15', '2027-01-15', 'sv'), '15 dec 2026 – 14 jan 2027');
  t.equal(formatPeriod('2026-05-04', '2026-05-05', 'sv'), '4 maj 2026', 'a single day');
});

t.test('Swish payload', async (t) => {
  // Swish's QR code encoding specification (sweden.md §5): C<payee>;<amount, two decimals, decimal comma>;<message, URL-encoded>;<lock mask>
  t.equal(swishPayload(svInvoice), 'C1231181189;8148,00;2026004206;0', 'payee digits, two decimals, OCR as message, all locked');
  t.equal(
    swishPayload({ ...svInvoice, amountPaid: 100050, amountRemaining: 714750 }),
    'C1231181189;7147,50;2026004206;0',
    'comma decimals when öre remain',
  );
  t.equal(swishPayload({ ...svInvoice, amountRemaining: 19900, ocrReference: '000117' }), 'C1231181189;199,00;000117;0', 'the README price');
  t.equal(swishPayload({ ...svInvoice, amountRemaining: 5, ocrReference: '000117' }), 'C1231181189;0,05;000117;0', 'öre only');
  t.equal(
    swishPayload({ ...svInvoice, ocrReference: null, number: 'F 1;2/å' }),
    'C1231181189;8148,00;F%201%3B2%2F%C3%A5;0',
    'the message is URL-encoded (an invoice number without OCR)',
  );
  t.equal(swishPayload(enInvoice), null, 'no Swish number');
  t.equal(swishPayload(creditNote), null, 'credit notes are not paid');
  t.equal(swishPayload(draftInvoice), null, 'drafts are not paid');
  t.equal(swishPayload({ ...svInvoice, status: 'paid', amountPaid: 814800, amountRemaining: 0 }), null, 'nothing left');
});

t.test('HTML: Swedish invoice', async (t) => {
  const html = renderInvoiceHtml(svInvoice);
  t.match(html, /^<!doctype html>\s*<html lang="sv">/);
  t.match(html, '<meta name="viewport" content="width=device-width, initial-scale=1">');
  t.match(html, '<h1>Faktura 2026-0042</h1>');
  t.match(html, `<p class="pay-amount">${nb('8 148,00 kr')}</p>`, 'amount to pay in the payment box');
  t.match(html, '<dt>OCR-nummer</dt><dd>2026004206</dd>');
  t.match(html, '<dt>Förfallodag</dt><dd>2026-12-25</dd>');
  t.match(html, '<dt>Bankgiro</dt><dd>5050-1055</dd>');
  t.match(html, '<p>Godkänd för F-skatt</p>');
  t.match(html, '<p>Org.nr 556677-8899</p>');
  t.match(html, '<p>Styrelsens säte Östersund</p>', 'registered office (aktiebolag)');
  t.match(html, '<p>E-post faktura@fjallraven-akeri.se</p>');
  t.match(html, '<p>Telefon 063-12 34 56</p>');
  t.match(html, '<p>Kundnummer K-10042</p>', "the merchant's own customer number (external_id)");
  t.notMatch(html, 'cus_01JD3Q7K2M8N4P6R8S0T2V4W6X');
  t.match(html, '<th role="columnheader" scope="col" class="num">À-pris exkl. moms</th>');
  t.match(html, '<p>Momsreg.nr SE556677889901</p>');
  t.match(html, 'Bäckström &amp; Söner Handelsbolag', 'buyer, escaped');
  t.match(html, '<p>Momsreg.nr SE969780123401</p>');
  t.match(html, `<tr><th scope="row">25${NBSP}%</th><td class="num">${nb('4 644,70 kr')}</td><td class="num">${nb('1 161,18 kr')}</td></tr>`);
  t.match(html, `<tr><th scope="row">12${NBSP}%</th><td class="num">${nb('2 090,74 kr')}</td><td class="num">${nb('250,89 kr')}</td></tr>`);
  t.match(html, `<th scope="row">Summa exkl. moms</th><td class="num">${nb('6 735,44 kr')}</td>`);
  t.match(html, `<th scope="row">Moms</th><td class="num">${nb('1 412,07 kr')}</td>`);
  t.match(html, `<th scope="row">Öresavrundning</th><td class="num">${nb('0,49 kr')}</td>`);
  t.match(html, `<th scope="row">Summa att betala</th><td class="num">${nb('8 148,00 kr')}</td>`);
  t.match(html, '<span class="period">1–30 nov 2026</span>');
  t.match(html, 'Transport Östersund–Åre, helpall', 'åäö and – intact');
  t.match(html, 'Fjällräven Åkeri AB');
  t.match(html, 'Betalningsvillkor: 30 dagar netto');
  t.match(html, 'dröjsmålsränta enligt räntelagen (referensräntan + 8 procentenheter).');
  t.match(html, '<p class="memo">Tack för att ni väljer oss!\nFrågor? Ring 063-12 34 56.</p>');
  t.match(html, /<figure class="swish">\s*<svg [^>]*role="img" aria-label="QR-kod för betalning med Swish"/);
  t.match(html, '<strong>123 118 11 89</strong>');
  t.notMatch(html, 'Kvar att betala', 'nothing paid yet');
  t.notMatch(html, /<script|<link|\ssrc=|url\(/i, 'no scripts and no external resources');
  t.notMatch(html, 'UTKAST');
});

t.test('HTML: English invoice without Swish, reverse charge, partly paid', async (t) => {
  const html = renderInvoiceHtml(enInvoice);
  t.match(html, '<html lang="en">');
  t.match(html, '<h1>Invoice 2026-0043</h1>');
  t.match(html, `<p class="pay-amount">SEK${NBSP}15,202.00</p>`, 'what is left to pay');
  t.match(html, '<dt>Due date</dt><dd>9 Dec 2026</dd>');
  t.match(html, '<dt>Issue date</dt><dd>25 Nov 2026</dd>');
  t.match(html, '<p class="notice">Reverse charge</p>');
  t.match(html, '<p>VAT no. FI12345671</p>');
  t.match(html, '<p>Approved for F-tax</p>');
  t.match(html, `<th scope="row">Paid</th><td class="num">SEK${NBSP}5,000.00</td>`);
  t.match(html, `<th scope="row">Remaining to pay</th><td class="num">SEK${NBSP}15,202.00</td>`);
  t.match(html, 'Payment terms: 14 days net');
  t.match(html, 'Late payment interest of 10% per year is charged after the due date.', "the merchant's own terms");
  t.notMatch(html, 'räntelagen');
  t.notMatch(html, 'Rounding', 'no rounding line when rounding is 0');
  t.notMatch(html, '<svg', 'no Swish QR without a Swish number');
  t.notMatch(html, 'Swish');
});

t.test('HTML: credit note', async (t) => {
  const html = renderInvoiceHtml(creditNote);
  t.match(html, '<h1>Kreditfaktura K2026-0007</h1>');
  t.match(html, '<dt>Kreditfakturanummer</dt><dd>K2026-0007</dd>');
  t.match(html, '<p>Krediterar faktura 2026-0042</p>');
  t.match(html, '<dt>Kreditfakturadatum</dt><dd>2026-11-28</dd>', 'dated as a credit note');
  t.notMatch(html, 'Fakturadatum');
  t.match(html, `<p class="credit-remaining">Kvar att betala på faktura 2026-0042: <strong>${nb('6 586,00 kr')}</strong></p>`);
  t.match(html, '<title>Kreditfaktura K2026-0007 – Fjällräven Åkeri AB</title>');
  t.match(html, `<h2 id="pay-title">Krediterat belopp</h2>\n      <p class="pay-amount">${nb('1 562,00 kr')}</p>`);
  t.match(html, `<th scope="row">Öresavrundning</th><td class="num">-0,38${NBSP}kr</td>`, 'negative rounding');
  t.match(html, 'Summa att kreditera');
  t.notMatch(html, 'Att betala');
  t.notMatch(html, 'Betalningsvillkor');
  t.notMatch(html, '<svg');
});

t.test('HTML: draft, escaping', async (t) => {
  const html = renderInvoiceHtml(draftInvoice);
  t.match(html, '<h1>Faktura</h1>');
  t.match(html, '<p class="status">UTKAST</p>');
  t.match(html, '<title>Faktura (utkast) – Fjällräven Åkeri AB</title>');
  t.notMatch(html, 'Fakturanummer', 'no number yet');
  t.match(html, '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; Konsulttimmar');
  t.notMatch(html, '<script');
  // 212,00 kr incl. 12 % VAT is 189,29 kr excl. VAT: the unit price is shown excl. VAT, like the amount.
  t.match(html, `<td role="cell" class="num price" data-label="À-pris exkl. moms">${nb('189,29 kr')}</td>`, 'VAT-inclusive price shown excl. VAT');
  t.notMatch(html, '<span class="note">inkl. moms</span>', 'no inkl. moms price beside exkl. moms amounts');
  t.notMatch(html, '212,00');
  t.notMatch(html, '<svg');
});

t.test('PDF: Swedish invoice', async (t) => {
  const bytes = await renderInvoicePdf(svInvoice);
  t.equal(bytes.subarray(0, 5).toString('latin1'), '%PDF-');
  const pdf = await parsePdf(bytes);
  t.equal(pdf.pages.length, 1);
  const page = pdf.pages[0] ?? '';
  for (const text of [
    'Faktura 2026-0042',
    'Fjällräven Åkeri AB',
    'Bäckström & Söner Handelsbolag',
    '8 148,00 kr',
    'OCR-nummer 2026004206',
    'Förfallodag 2026-12-25',
    'Bankgiro 5050-1055',
    'Öresavrundning 0,49 kr',
    'Godkänd för F-skatt',
    'Transport Östersund–Åre, helpall',
    '1–30 nov 2026',
    '4 644,70 kr 1 161,18 kr',
    'Betala med Swish 123 118 11 89',
    'Betalningsvillkor: 30 dagar netto',
    'Kundnummer K-10042',
    'Styrelsens säte Östersund',
    'E-post faktura@fjallraven-akeri.se',
    'Telefon 063-12 34 56',
  ]) {
    t.ok(page.includes(text), `page 1 shows "${text}"`);
  }
  t.equal(pdf.images[0], 1, 'the Swish QR image');
  t.equal(pdf.info.Title, 'Faktura 2026-0042');
  t.equal(pdf.info.Author, 'Fjällräven Åkeri AB');
  t.ok(bytes.equals(await renderInvoicePdf(svInvoice)), 'the same document renders to the same bytes');
});

t.test('PDF and HTML carry the same headings', async (t) => {
  const headings = {
    sv: ['Fakturadatum', 'Att betala', 'Köpare', 'Säljare', 'Kundnummer', 'Beskrivning', 'Antal', 'À-pris exkl. moms', 'Belopp exkl. moms', 'Momssats', 'Underlag', 'Summa exkl. moms', 'Meddelande'],
    en: ['Issue date', 'Amount to pay', 'Bill to', 'From', 'Customer number', 'Description', 'Qty', 'Unit price excl. VAT', 'Amount excl. VAT', 'VAT rate', 'Taxable amount', 'Subtotal excl. VAT', 'Remaining to pay'],
  };
  for (const doc of [svInvoice, enInvoice]) {
    const html = renderInvoiceHtml(doc);
    const page = ((await parsePdf(await renderInvoicePdf(doc))).pages[0] ?? '').toLocaleLowerCase();
    for (const heading of headings[doc.locale]) {
      t.ok(html.includes(heading), `${doc.locale} HTML: ${heading}`);
      t.ok(page.includes(heading.toLocaleLowerCase()), `${doc.locale} PDF: ${heading}`);
    }
  }
});

t.test('PDF: English invoice, credit note, draft', async (t) => {
  const en = await parsePdf(await renderInvoicePdf(enInvoice));
  t.ok(en.pages[0]?.includes('SEK 15,202.00'));
  t.ok(en.pages[0]?.includes('Reverse charge'));
  t.equal(en.images[0], 0, 'no Swish QR');
  t.equal(en.info.Title, 'Invoice 2026-0043');

  const credit = await parsePdf(await renderInvoicePdf(creditNote));
  t.ok(credit.pages[0]?.includes('Kreditfaktura K2026-0007'));
  t.ok(credit.pages[0]?.includes('Krediterar faktura 2026-0042'));
  t.ok(credit.pages[0]?.includes('Öresavrundning -0,38 kr'));
  t.ok(credit.pages[0]?.includes('Kreditfakturadatum 2026-11-28'), 'dated as a credit note');
  t.notOk(credit.pages[0]?.includes('Fakturadatum'));
  t.ok(credit.pages[0]?.includes('Kvar att betala på faktura 2026-0042: 6 586,00 kr'), 'what remains to pay on the credited invoice');

  const draft = await parsePdf(await renderInvoicePdf(draftInvoice));
  t.ok(draft.pages[0]?.includes('UTKAST'));
  t.ok(draft.pages[0]?.includes('<script>alert("x")</script> Konsulttimmar'), 'text is drawn as is');
  t.notOk(draft.pages[0]?.includes('Fakturanummer'));
});

t.test('PDF: 60 lines break across pages', async (t) => {
  const pdf = await parsePdf(await renderInvoicePdf(longInvoice));
  t.ok(pdf.pages.length > 1, `${pdf.pages.length} pages`);
  const last = pdf.pages.at(-1) ?? '';
  t.ok(last.includes('Leverans 60: sista raden'), 'the last line is on the last page');
  t.ok(last.includes('Summa att betala'), 'totals after the lines');
  t.ok(pdf.pages[1]?.includes('Beskrivning Antal À-pris exkl. moms Moms Belopp exkl. moms'), 'table header repeated');
  pdf.pages.forEach((page, i) => t.ok(page.includes(`Sida ${i + 1} av ${pdf.pages.length}`), `page ${i + 1} numbered`));
  const all = pdf.pages.join(' ');
  const missing = Array.from({ length: 59 }, (_, i) => `Leverans ${i + 1}: Östersund–Åre`).filter((s) => !all.includes(s));
  t.same(missing, [], 'every line is somewhere');
});
