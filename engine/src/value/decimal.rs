//! Exact decimal numbers for decimal and money fields.
//!
//! Binary floating point cannot represent 0.1, and fees must add up to the
//! cent, so numbers are an `i128` mantissa with a decimal scale. Results that
//! would need more than [`MAX_SCALE`] fractional digits are rounded half-even
//! (the least biased choice for intermediate results); rounding for display or
//! for `round()` is half-up ("kaufmännische Rundung").

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::Neg;

/// Most fractional digits kept.
const MAX_SCALE: u32 = 28;
/// Most significant digits accepted by [`Decimal::parse`]; well below what an
/// `i128` holds, so parsing never overflows.
const MAX_DIGITS: usize = 30;
/// Largest mantissa magnitude. `i128::MIN` is excluded so negation is total.
const MAX_MAG: u128 = i128::MAX as u128;

/// An exact decimal number: `mantissa × 10^-scale`.
///
/// Equality, ordering and hashing are numeric: `1.0 == 1.00`.
#[derive(Clone, Copy, Debug)]
pub struct Decimal {
    pub(crate) mantissa: i128,
    scale: u32,
}

/// How to round away dropped digits.
#[derive(Clone, Copy)]
enum Rounding {
    HalfEven,
    HalfUp,
}

impl Decimal {
    /// Zero.
    pub const ZERO: Decimal = Decimal { mantissa: 0, scale: 0 };

    /// Parses what a person types: optional sign, digits, optionally `.` or
    /// `,` followed by digits (`"12,50"`). No exponent, no thousands
    /// separators, no surrounding whitespace, at most 30 significant digits
    /// and 28 fractional digits.
    pub fn parse(s: &str) -> Option<Decimal> {
        let (neg, rest) = match s.as_bytes().first() {
            Some(b'-') => (true, &s[1..]),
            Some(b'+') => (false, &s[1..]),
            _ => (false, s),
        };
        let (int, frac) = match rest.find(['.', ',']) {
            Some(i) => (&rest[..i], &rest[i + 1..]),
            None => (rest, ""),
        };
        let digits = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
        if !digits(int) || (rest.len() != int.len() && !digits(frac)) {
            return None;
        }
        if frac.len() > MAX_SCALE as usize {
            return None;
        }
        let all = int.bytes().chain(frac.bytes());
        let significant = all.clone().skip_while(|&b| b == b'0').count();
        if significant > MAX_DIGITS {
            return None;
        }
        let mag = all.fold(0u128, |acc, b| acc * 10 + u128::from(b - b'0'));
        Decimal::from_parts(neg, mag, frac.len() as u32)
    }

    /// An integer as a decimal.
    pub fn from_i64(i: i64) -> Decimal {
        Decimal { mantissa: i128::from(i), scale: 0 }
    }

    /// The number of fractional digits as stored (`1.50` has scale 2).
    pub fn scale(self) -> u32 {
        self.scale
    }

    /// Whether the value is zero.
    pub fn is_zero(self) -> bool {
        self.mantissa == 0
    }

    /// Whether the value is below zero.
    pub fn is_negative(self) -> bool {
        self.mantissa < 0
    }

    /// `self + other`; `None` on overflow.
    pub fn checked_add(self, other: Decimal) -> Option<Decimal> {
        // Aligning scales can overflow although the numbers themselves are
        // small (`1.000…0`); trailing zeros are dropped before giving up.
        add_aligned(self, other).or_else(|| add_aligned(self.normalize(), other.normalize()))
    }

    /// `self - other`; `None` on overflow.
    pub fn checked_sub(self, other: Decimal) -> Option<Decimal> {
        self.checked_add(-other)
    }

    /// `self × other`, rounded half-even to 28 fractional digits (fewer if
    /// the magnitude needs the room); `None` on overflow.
    pub fn checked_mul(self, other: Decimal) -> Option<Decimal> {
        let wide = Wide::mul(self.magnitude(), other.magnitude());
        let (mag, scale) = shrink(wide, self.scale + other.scale, MAX_SCALE, Rounding::HalfEven)?;
        Decimal::from_parts(self.is_negative() != other.is_negative(), mag, scale)
    }

    /// `self ÷ other`, rounded half-even to 28 fractional digits (fewer if
    /// the magnitude needs the room), trailing zeros stripped; `None` on
    /// division by zero or overflow.
    pub fn checked_div(self, other: Decimal) -> Option<Decimal> {
        if other.is_zero() {
            return None;
        }
        let divisor = other.magnitude();
        let mut quotient = self.magnitude() / divisor;
        let mut rem = self.magnitude() % divisor;
        // The value so far is `quotient × 10^-scale`; the scale can start
        // negative, in which case digits must be produced to reach zero.
        let mut scale = i64::from(self.scale) - i64::from(other.scale);
        loop {
            let must = scale < 0;
            if !must && (rem == 0 || scale >= i64::from(MAX_SCALE)) {
                break;
            }
            let (digit, next_rem) = next_digit(rem, divisor);
            let next = quotient.checked_mul(10).and_then(|q| q.checked_add(digit)).filter(|&q| q <= MAX_MAG);
            match next {
                Some(q) => {
                    quotient = q;
                    rem = next_rem;
                    scale += 1;
                }
                None if must => return None,
                None => break,
            }
        }
        // `rem < divisor <= MAX_MAG`, so doubling cannot overflow.
        let twice = rem * 2;
        if twice > divisor || (twice == divisor && quotient % 2 == 1) {
            quotient = quotient.checked_add(1)?;
        }
        let scale = u32::try_from(scale).ok()?;
        Decimal::from_parts(self.is_negative() != other.is_negative(), quotient, scale).map(Decimal::normalize)
    }

    /// Rounds to `places` fractional digits, half away from zero
    /// (kaufmännische Rundung: 2.345 → 2.35, -2.345 → -2.35).
    pub fn round_half_up(self, places: u32) -> Option<Decimal> {
        if places >= self.scale {
            return Some(self);
        }
        let wide = Wide::from_u128(self.magnitude());
        let (mag, scale) = shrink(wide, self.scale, places, Rounding::HalfUp)?;
        Decimal::from_parts(self.is_negative(), mag, scale)
    }

    /// The value as an `i64` if it is a whole number in range.
    pub fn to_i64_exact(self) -> Option<i64> {
        let n = self.normalize();
        if n.scale != 0 {
            return None;
        }
        i64::try_from(n.mantissa).ok()
    }

    /// Formats with exactly `places` fractional digits, rounded half-up
    /// (money: `"12.50"`). `places` is capped at 28, the most a decimal holds,
    /// so a bad setting cannot ask for a gigantic string.
    pub fn to_fixed(self, places: u32) -> String {
        let places = places.min(MAX_SCALE);
        let r = self.round_half_up(places).unwrap_or(self);
        let mut s = plain(r.mantissa, r.scale);
        let missing = places.saturating_sub(r.scale) as usize;
        if missing > 0 {
            if r.scale == 0 {
                s.push('.');
            }
            s.extend(std::iter::repeat_n('0', missing));
        }
        s
    }

    fn magnitude(self) -> u128 {
        self.mantissa.unsigned_abs()
    }

    fn from_parts(neg: bool, mag: u128, scale: u32) -> Option<Decimal> {
        if scale > MAX_SCALE {
            return None;
        }
        let m = i128::try_from(mag).ok()?;
        Some(Decimal { mantissa: if neg { -m } else { m }, scale })
    }

    pub(crate) fn from_mantissa(mantissa: i128, scale: u32) -> Option<Decimal> {
        Decimal::from_parts(mantissa < 0, mantissa.unsigned_abs(), scale)
    }

    /// The same number with trailing fractional zeros removed: the unique
    /// representation used for hashing and display.
    fn normalize(self) -> Decimal {
        let mut d = self;
        while d.scale > 0 && d.mantissa % 10 == 0 {
            d.mantissa /= 10;
            d.scale -= 1;
        }
        d
    }

    fn mantissa_at(self, scale: u32) -> Option<i128> {
        let factor = 10i128.checked_pow(scale.checked_sub(self.scale)?)?;
        self.mantissa.checked_mul(factor)
    }
}

fn add_aligned(a: Decimal, b: Decimal) -> Option<Decimal> {
    let scale = a.scale.max(b.scale);
    let sum = a.mantissa_at(scale)?.checked_add(b.mantissa_at(scale)?)?;
    Decimal::from_mantissa(sum, scale)
}

/// One step of long division: the next decimal digit of `rem / divisor` and
/// the new remainder, for `rem < divisor <= MAX_MAG`.
fn next_digit(rem: u128, divisor: u128) -> (u128, u128) {
    if let Some(t) = rem.checked_mul(10) {
        return (t / divisor, t % divisor);
    }
    // `10 × rem` does not fit; add `rem` ten times modulo `divisor` instead
    // (each partial sum stays below `2 × divisor`, which fits).
    let (mut acc, mut digit) = (0u128, 0u128);
    for _ in 0..10 {
        acc += rem;
        if acc >= divisor {
            acc -= divisor;
            digit += 1;
        }
    }
    (digit, acc)
}

/// Drops fractional digits of `wide × 10^-scale` until the scale is at most
/// `target` and the magnitude fits a mantissa, rounding once at the end so
/// no double rounding occurs. Returns the magnitude and its scale.
fn shrink(mut wide: Wide, mut scale: u32, target: u32, mode: Rounding) -> Option<(u128, u32)> {
    let (mut last, mut sticky) = (0u64, false);
    while scale > target || (scale > 0 && wide.to_u128().is_none_or(|m| m > MAX_MAG)) {
        sticky |= last != 0;
        last = wide.divrem_small(10);
        scale -= 1;
    }
    let mut mag = wide.to_u128().filter(|&m| m <= MAX_MAG)?;
    let up = match mode {
        Rounding::HalfUp => last >= 5,
        Rounding::HalfEven => last > 5 || (last == 5 && (sticky || mag % 2 == 1)),
    };
    if up {
        mag += 1;
    }
    (mag <= MAX_MAG).then_some((mag, scale))
}

/// An unsigned 256-bit integer, little-endian limbs: room for the exact
/// product of two mantissas.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Wide([u64; 4]);

impl Wide {
    fn from_u128(v: u128) -> Wide {
        Wide([v as u64, (v >> 64) as u64, 0, 0])
    }

    fn mul(a: u128, b: u128) -> Wide {
        let a = [a as u64, (a >> 64) as u64];
        let b = [b as u64, (b >> 64) as u64];
        let mut r = [0u64; 4];
        for i in 0..2 {
            let mut carry = 0u128;
            for j in 0..2 {
                // At most (2^64-1)^2 + 2(2^64-1) = 2^128-1: cannot overflow.
                let t = u128::from(a[i]) * u128::from(b[j]) + u128::from(r[i + j]) + carry;
                r[i + j] = t as u64;
                carry = t >> 64;
            }
            r[i + 2] = carry as u64;
        }
        Wide(r)
    }

    /// Divides in place by a nonzero `d`, returning the remainder.
    fn divrem_small(&mut self, d: u64) -> u64 {
        let d = u128::from(d.max(1));
        let mut rem = 0u128;
        for limb in self.0.iter_mut().rev() {
            let cur = (rem << 64) | u128::from(*limb);
            *limb = (cur / d) as u64;
            rem = cur % d;
        }
        rem as u64
    }

    fn to_u128(self) -> Option<u128> {
        (self.0[2] == 0 && self.0[3] == 0).then(|| u128::from(self.0[0]) | (u128::from(self.0[1]) << 64))
    }
}

impl Ord for Wide {
    fn cmp(&self, other: &Wide) -> Ordering {
        self.0.iter().rev().cmp(other.0.iter().rev())
    }
}

impl PartialOrd for Wide {
    fn partial_cmp(&self, other: &Wide) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// The digits of `mantissa × 10^-scale` with a point, keeping trailing zeros.
fn plain(mantissa: i128, scale: u32) -> String {
    let digits = mantissa.unsigned_abs().to_string();
    let scale = scale as usize;
    let mut s = String::with_capacity(digits.len() + scale + 3);
    if mantissa < 0 {
        s.push('-');
    }
    if scale == 0 {
        s.push_str(&digits);
    } else if digits.len() <= scale {
        s.push_str("0.");
        s.extend(std::iter::repeat_n('0', scale - digits.len()));
        s.push_str(&digits);
    } else {
        let (int, frac) = digits.split_at(digits.len() - scale);
        s.push_str(int);
        s.push('.');
        s.push_str(frac);
    }
    s
}

impl Neg for Decimal {
    type Output = Decimal;

    fn neg(self) -> Decimal {
        // The mantissa is never `i128::MIN`; saturating keeps this total anyway.
        Decimal { mantissa: self.mantissa.saturating_neg(), scale: self.scale }
    }
}

impl Ord for Decimal {
    fn cmp(&self, other: &Decimal) -> Ordering {
        let sign = |d: &Decimal| d.mantissa.signum();
        match sign(self).cmp(&sign(other)) {
            Ordering::Equal => {}
            unequal => return unequal,
        }
        // Same sign: compare magnitudes at a common scale, widened so the
        // alignment cannot overflow.
        let align = |d: &Decimal, to: u32| {
            let factor = 10u128.pow(to.saturating_sub(d.scale).min(MAX_SCALE));
            Wide::mul(d.magnitude(), factor)
        };
        let scale = self.scale.max(other.scale);
        let by_magnitude = align(self, scale).cmp(&align(other, scale));
        if self.is_negative() {
            by_magnitude.reverse()
        } else {
            by_magnitude
        }
    }
}

impl PartialOrd for Decimal {
    fn partial_cmp(&self, other: &Decimal) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Decimal {
    fn eq(&self, other: &Decimal) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Decimal {}

impl Hash for Decimal {
    fn hash<H: Hasher>(&self, state: &mut H) {
        let n = self.normalize();
        n.mantissa.hash(state);
        n.scale.hash(state);
    }
}

impl fmt::Display for Decimal {
    /// The canonical plain form: trailing zeros stripped, never an exponent.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.normalize();
        f.write_str(&plain(n.mantissa, n.scale))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::hash_map::DefaultHasher;

    fn d(s: &str) -> Decimal {
        Decimal::parse(s).unwrap_or_else(|| panic!("bad test decimal {s}"))
    }

    fn hash(x: Decimal) -> u64 {
        let mut h = DefaultHasher::new();
        x.hash(&mut h);
        h.finish()
    }

    #[test]
    fn parses_what_people_type() {
        assert_eq!(d("12,50").to_string(), "12.5");
        assert_eq!(d("12.50").scale(), 2);
        assert_eq!(d("-0.01").to_string(), "-0.01");
        assert_eq!(d("+7").to_string(), "7");
        assert_eq!(d("007").to_string(), "7");
        assert_eq!(d("-0").to_string(), "0");
        assert!(!d("-0").is_negative());
        for bad in ["", "-", "+", ".5", "5.", "1,2,3", "1.2.3", " 1", "1 ", "1e5", "1_000", "1.000,00", "--1", "0x10", "١", "1.5€"] {
            assert_eq!(Decimal::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn parse_limits() {
        assert!(Decimal::parse(&"9".repeat(30)).is_some());
        assert!(Decimal::parse(&"9".repeat(31)).is_none());
        // Leading zeros are not significant.
        assert!(Decimal::parse(&format!("000{}", "9".repeat(30))).is_some());
        assert!(Decimal::parse(&format!("0.{}", "1".repeat(28))).is_some());
        assert!(Decimal::parse(&format!("0.{}", "1".repeat(29))).is_none());
        assert!(Decimal::parse(&"0".repeat(5000)).is_some());
    }

    #[test]
    fn point_one_plus_point_two() {
        assert_eq!(d("0.1").checked_add(d("0.2")), Some(d("0.3")));
        assert_eq!(d("0.1").checked_add(d("0.2")).map(|x| x.to_string()), Some("0.3".into()));
    }

    #[test]
    fn arithmetic() {
        assert_eq!(d("12.50").checked_sub(d("0.5")), Some(d("12")));
        assert_eq!(d("1.5").checked_mul(d("-2.5")), Some(d("-3.75")));
        assert_eq!(d("-1").checked_mul(d("-1")), Some(d("1")));
        assert_eq!(d("10").checked_div(d("4")), Some(d("2.5")));
        assert_eq!(d("1").checked_div(d("0")), None);
        assert_eq!(d("0").checked_div(d("0.000")), None);
        assert_eq!(d("-7").checked_div(d("2")).map(|x| x.to_string()), Some("-3.5".into()));
        assert_eq!(d("0.5").checked_div(d("0.001")), Some(d("500")));
        assert_eq!(d("12.34").checked_div(d("1")).map(|x| x.scale()), Some(2));
    }

    #[test]
    fn division_rounds_half_even_to_28_places() {
        let third = d("1").checked_div(d("3")).unwrap();
        assert_eq!(third.to_string(), format!("0.{}", "3".repeat(28)));
        let two_thirds = d("2").checked_div(d("3")).unwrap();
        assert_eq!(two_thirds.to_string(), format!("0.{}7", "6".repeat(27)));
        // Exactly half at the 29th place: rounds to even.
        let tiny = d(&format!("0.{}5", "0".repeat(27)));
        assert_eq!(tiny.checked_div(d("10")), Some(Decimal::ZERO));
        let tiny3 = d(&format!("0.{}15", "0".repeat(26)));
        assert_eq!(tiny3.checked_div(d("10")), Some(d(&format!("0.{}2", "0".repeat(27)))));
    }

    #[test]
    fn division_by_huge_and_tiny() {
        let big = Decimal::from_mantissa(i128::MAX, 0).unwrap();
        assert_eq!(big.checked_div(big), Some(d("1")));
        assert_eq!(d("1").checked_div(big).map(|x| x.is_zero()), Some(true));
        let nearly = Decimal::from_mantissa(i128::MAX - 1, 0).unwrap();
        // 0.99999…(38 nines)…: rounded to 28 places that is exactly 1.
        assert_eq!(nearly.checked_div(big), Some(d("1")));
        let half = Decimal::from_mantissa(i128::MAX / 2, 0).unwrap();
        assert_eq!(half.checked_div(big).map(|x| x.to_string()), Some("0.5".into()));
        // A small divisor with a large dividend needs more digits than fit.
        assert_eq!(big.checked_div(d("0.1")), None);
        assert_eq!(d("1").checked_div(d("0.0000000000000000000000000001")).map(|x| x.to_string()), Some(format!("1{}", "0".repeat(28))));
    }

    #[test]
    fn multiplication_rounds_and_widens() {
        let third = d("1").checked_div(d("3")).unwrap();
        let ninth = third.checked_mul(third).unwrap();
        assert_eq!(ninth.to_string(), format!("0.{}", "1".repeat(28)));
        assert_eq!(ninth.scale(), 28);
        let big = d(&"9".repeat(30));
        assert_eq!(big.checked_mul(big), None);
        let max = Decimal::from_mantissa(i128::MAX, 0).unwrap();
        assert_eq!(max.checked_mul(d("1.0")), Some(max));
        assert_eq!(max.checked_add(d("1")), None);
        assert_eq!((-max).checked_sub(d("1")), None);
    }

    #[test]
    fn equality_and_order_are_numeric() {
        assert_eq!(d("1.0"), d("1.00"));
        assert_eq!(hash(d("1.0")), hash(d("1.000")));
        assert_eq!(hash(d("0.00")), hash(d("0")));
        assert!(d("-1") < d("0.5"));
        assert!(d("-1.5") < d("-1.49"));
        assert!(d("2") > d("1.999999"));
        assert!(d("0") > d("-0.0001"));
        let max = Decimal::from_mantissa(i128::MAX, 0).unwrap();
        assert!(max > d("0.1"));
        assert!(-max < d("-0.0000000000000000000000000001"));
    }

    #[test]
    fn rounding_half_up() {
        assert_eq!(d("2.345").round_half_up(2), Some(d("2.35")));
        assert_eq!(d("-2.345").round_half_up(2), Some(d("-2.35")));
        assert_eq!(d("2.344").round_half_up(2), Some(d("2.34")));
        assert_eq!(d("0.5").round_half_up(0), Some(d("1")));
        assert_eq!(d("1.5").round_half_up(5), Some(d("1.5")));
        assert_eq!(d("9.999").round_half_up(2), Some(d("10")));
    }

    #[test]
    fn formatting() {
        assert_eq!(d("12.5").to_fixed(2), "12.50");
        assert_eq!(d("12").to_fixed(2), "12.00");
        assert_eq!(d("12").to_fixed(0), "12");
        assert_eq!(d("1").to_fixed(u32::MAX).len(), 30);
        assert_eq!(d("0.005").to_fixed(2), "0.01");
        assert_eq!(d("-0.004").to_fixed(2), "0.00");
        assert_eq!(d("-1.005").to_fixed(2), "-1.01");
        assert_eq!(d("3.000").to_string(), "3");
        assert_eq!(d("0.0010").to_string(), "0.001");
        assert_eq!(d("100").to_string(), "100");
        assert_eq!(format!("{}", d("-12.30")), "-12.3");
    }

    #[test]
    fn conversions() {
        assert_eq!(Decimal::from_i64(i64::MIN).to_i64_exact(), Some(i64::MIN));
        assert_eq!(d("3.00").to_i64_exact(), Some(3));
        assert_eq!(d("3.5").to_i64_exact(), None);
        assert_eq!(d(&"9".repeat(20)).to_i64_exact(), None);
        assert!(Decimal::ZERO.is_zero());
        assert_eq!(-d("1.5"), d("-1.5"));
    }
}
