/**
 * Numbers as text for people and spreadsheets: the digits JavaScript writes (the shortest that
 * read back as the same double, ECMA-262 Number::toString), but never in exponent notation, which
 * it uses below 1e-6 and from 1e21 up: a `numeric` 0.0000000001 must not reach a CSV cell or a
 * table as "1e-10". JSON keeps exponents (RFC 8259 allows them); this is for what is read.
 */

// Intl writes the same shortest digits without an exponent (up to 100 fraction digits).
const PLAIN = new Intl.NumberFormat("en-US", { useGrouping: false, maximumFractionDigits: 100 });

/** `value` in plain decimal notation ("0.0000000001", "1000000000000000000000"); exact, or String(value). */
export function plainNumber(value: number): string {
  const text = String(value);
  if (!text.includes("e")) return text;
  const plain = PLAIN.format(value);
  // Past 100 fraction digits (5e-324) Intl rounds; the exponent form is then the exact one.
  return Number(plain) === value ? plain : text;
}
