//! Go's `math/big` as it shows in messages: the decimal text of unsigned big-endian integers
//! (CRL numbers, certificate serials), which no fixed-width Rust integer holds.

/// Decimal rendering of an unsigned big-endian integer (Go's `%d` of a `*big.Int`), as
/// notation prints CRL numbers and certificate serial numbers.
pub(crate) fn decimal(bytes: &[u8]) -> String {
    let mut digits: Vec<u8> = vec![0];
    for &byte in bytes {
        let mut carry = u32::from(byte);
        for d in digits.iter_mut() {
            let v = u32::from(*d) * 256 + carry;
            *d = (v % 10) as u8;
            carry = v / 10;
        }
        while carry > 0 {
            digits.push((carry % 10) as u8);
            carry /= 10;
        }
    }
    while digits.len() > 1 && digits.last() == Some(&0) {
        digits.pop();
    }
    digits.iter().rev().map(|d| char::from(b'0' + d)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_rendering() {
        assert_eq!(decimal(&[]), "0");
        assert_eq!(decimal(&[0x01, 0x34, 0x2b, 0x90]), "20196240");
        assert_eq!(decimal(&[0x01, 0x35, 0x0a, 0x50]), "20253264");
        assert_eq!(
            decimal(&[0xff; 16]),
            "340282366920938463463374607431768211455"
        );
    }
}
