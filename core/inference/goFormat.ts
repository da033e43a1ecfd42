/**
 * Number formatting as Go's fmt prints float32 values, so that error texts equal the original's
 * (`targetTTFT=4000`, `lambda=2.7651788e-08`, `range=[0.000, 0.028]`).
 */

/** Shortest decimal digits that read back to the same float32, and the decimal exponent of the first digit. */
function shortestFloat32Digits(x: number): { digits: string; exponent: number } {
  for (let precision = 1; precision <= 9; precision++) {
    const text = x.toExponential(precision - 1);
    if (Math.fround(Number(text)) === x) {
      const [mantissa = "0", exp = "0"] = text.split("e");
      return { digits: mantissa.replace(".", "").replace(/0+$/, "") || "0", exponent: Number(exp) };
    }
  }
  const [mantissa = "0", exp = "0"] = x.toExponential(8).split("e");
  return { digits: mantissa.replace(".", "").replace(/0+$/, "") || "0", exponent: Number(exp) };
}

/** Go `%v` of a float32: shortest round-trip digits, exponent form below 1e-4 or from 1e6 (precision 6 rule of %g). */
export function goFloat32(value: number): string {
  const x = Math.fround(value);
  if (Number.isNaN(x)) return "NaN";
  if (x === Infinity) return "+Inf";
  if (x === -Infinity) return "-Inf";
  if (x === 0) return Object.is(x, -0) ? "-0" : "0";
  const sign = x < 0 ? "-" : "";
  const { digits, exponent } = shortestFloat32Digits(Math.abs(x));
  if (exponent < -4 || exponent >= 6) {
    const mantissa = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const expSign = exponent < 0 ? "-" : "+";
    return `${sign}${mantissa}e${expSign}${String(Math.abs(exponent)).padStart(2, "0")}`;
  }
  if (exponent < 0) return `${sign}0.${"0".repeat(-exponent - 1)}${digits}`;
  const intLength = exponent + 1;
  if (digits.length <= intLength) return `${sign}${digits}${"0".repeat(intLength - digits.length)}`;
  return `${sign}${digits.slice(0, intLength)}.${digits.slice(intLength)}`;
}

/** Go `%.Nf` (exact ties, rare for binary values, may round the other way). */
export function goFixed(value: number, decimals: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (!Number.isFinite(value)) return value > 0 ? "+Inf" : "-Inf";
  return value.toFixed(decimals);
}
