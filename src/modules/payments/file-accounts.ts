// A camt.054 account id that is a bankgiro number (Othr/Id with scheme BGNR: 7–8 digits, Luhn).
import { parseBankgiro } from '../../domain/bankgiro.ts';

/** The bankgiro digits of an account id, or null when it is not a bankgiro number (an IBAN, a bank account). */
export function parseBankGiroDigits(account: string): string | null {
  if (!/^[0-9]{7,8}$/.test(account)) return null;
  const bg = parseBankgiro(account);
  return bg.ok ? bg.value.digits : null;
}
