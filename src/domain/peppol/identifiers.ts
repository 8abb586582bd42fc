// Check digits of the party identifiers the Peppol rules check (PEPPOL-COMMON-R040…R050), as the
// rules' own functions compute them.

/** GS1 GLN (scheme 0088): mod-10 with weights 3,1,… from the right. */
export function glnValid(v: string): boolean {
  if (!/^[0-9]+$/.test(v)) return false;
  const body = v.slice(0, -1).split('').reverse().map(Number);
  const sum = body.reduce((s, d, i) => s + d * (i % 2 === 0 ? 3 : 1), 0);
  return (10 - (sum % 10)) % 10 === Number(v.slice(-1));
}

/**
 * Swedish organisationsnummer (scheme 0007): Luhn over the first nine digits, checked against the
 * tenth (as the rules' checkSEOrgnr: digits only; the length is checked by the rules that need it).
 */
export function seOrgNumberValid(v: string): boolean {
  if (!/^\d+$/.test(v) || v.length < 10) return false;
  const main = v.slice(0, 9);
  let sum = 0;
  for (let pos = 1; pos <= main.length; pos++) {
    const digit = Number(main[main.length - pos]);
    sum += pos % 2 === 1 ? ((digit * 2) % 10) + Math.floor((digit * 2) / 10) : digit;
  }
  return (10 - (sum % 10)) % 10 === Number(v[9]);
}

/** Norwegian organisation number (scheme 0192): mod 11 with weights 2–7 from the right. */
export function mod11Valid(v: string): boolean {
  const body = v.slice(0, -1).split('').reverse().map(Number);
  const sum = body.reduce((s, d, i) => s + d * ((i % 6) + 2), 0);
  return Number(v) > 0 && (11 - (sum % 11)) % 11 === Number(v.slice(-1));
}

/** Belgian enterprise number (scheme 0208): the last two digits are 97 − (first eight mod 97). */
export function mod97BeValid(v: string): boolean {
  return Number(v.slice(8, 10)) === 97 - (Number(v.slice(0, 8)) % 97);
}

/** Australian Business Number (scheme 0151). */
export function abnValid(v: string): boolean {
  const w = [10, 1, 3, 5, 7, 9, 11, 13, 15, 17, 19];
  const sum = v.split('').reduce((s, c, i) => s + (i === 0 ? Number(c) - 1 : Number(c)) * w[i]!, 0);
  return sum % 89 === 0;
}

/** Italian IPA code (scheme 0201): six letters or digits. */
export const codiceIpaValid = (v: string): boolean => /^[A-Za-z0-9]{6}$/.test(v);

/** Italian codice fiscale (schemes 0210, 9907): 16 characters in its pattern, or 11 digits. */
export function codiceFiscaleValid(v: string): boolean {
  if (v.length === 11) return /^[+-]?\d+$/.test(v);
  if (v.length !== 16) return false;
  const letters = (s: string) => /^[A-Za-z]*$/.test(s);
  const int = (s: string) => /^[+-]?\d+$/.test(s);
  return letters(v.slice(0, 6)) && int(v.slice(6, 8)) && letters(v.slice(8, 9)) && int(v.slice(9, 11)) && int(v.slice(14, 15)) && letters(v.slice(15, 16));
}

/** Italian partita IVA (scheme 0211): IT + 11 digits whose Luhn-style sum ends in 0; other countries pass. */
export function partitaIvaValid(v: string): boolean {
  const country = v.slice(0, 2);
  if (country !== 'IT' && country !== 'it') return true;
  const code = v.slice(2);
  if (code.length !== 11 || !/^[+-]?\d+$/.test(code)) return false;
  let sum = 0;
  for (let i = 0; i < code.length; i++) {
    const d = Number(code[i]);
    sum += i % 2 === 1 ? Number('0246813579'[d]) : d;
  }
  return sum % 10 === 0;
}
