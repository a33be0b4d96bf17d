//! Small binary encodings of the static index: LEB128 varints, length-prefixed strings, and
//! base64 (shards travel inside `.js` files so that they load from `file://` too; the browser
//! decodes them with `atob`).

pub fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    loop {
        let b = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(b);
            return;
        }
        out.push(b | 0x80);
    }
}

pub fn put_str(out: &mut Vec<u8>, s: &str) {
    put_varint(out, s.len() as u64);
    out.extend_from_slice(s.as_bytes());
}

/// A bounds-checked reader: malformed input gives `None`, never a panic or a hang.
pub struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    pub fn new(bytes: &'a [u8]) -> Self {
        Reader { bytes, pos: 0 }
    }

    pub fn done(&self) -> bool {
        self.pos >= self.bytes.len()
    }

    pub fn byte(&mut self) -> Option<u8> {
        let b = *self.bytes.get(self.pos)?;
        self.pos += 1;
        Some(b)
    }

    pub fn varint(&mut self) -> Option<u64> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            v |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Some(v);
            }
        }
        None
    }

    pub fn bytes(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.pos.checked_add(n)?;
        let s = self.bytes.get(self.pos..end)?;
        self.pos = end;
        Some(s)
    }

    pub fn str(&mut self) -> Option<&'a str> {
        let n = self.varint()? as usize;
        std::str::from_utf8(self.bytes(n)?).ok()
    }
}

/// The byte length of `text`'s first `n` characters.
pub fn char_end(text: &str, n: usize) -> usize {
    if text.len() <= n {
        return text.len(); // no more characters than bytes
    }
    text.char_indices().nth(n).map_or(text.len(), |(i, _)| i)
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

pub fn base64_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    base64_encode_into(&mut out, bytes);
    out
}

/// [`base64_encode`] appended to `out`, which a caller sized for it: the index's files are
/// written this way, without a copy of each payload's base64.
pub fn base64_encode_into(out: &mut String, bytes: &[u8]) {
    for chunk in bytes.chunks(3) {
        let n = (u32::from(chunk[0]) << 16)
            | (u32::from(*chunk.get(1).unwrap_or(&0)) << 8)
            | u32::from(*chunk.get(2).unwrap_or(&0));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(B64[(n >> (18 - 6 * i)) as usize & 63] as char);
            } else {
                out.push('=');
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn char_end_counts_characters_not_bytes() {
        assert_eq!(char_end("äiti", 2), 3);
        assert_eq!(char_end("ääää", 3), 6);
        assert_eq!(char_end("abc", 5), 3);
        assert_eq!(char_end("ääää", 4), 8);
        assert_eq!(char_end("", 0), 0);
    }

    #[test]
    fn round_trips() {
        for (raw, b64) in [
            (&b""[..], ""),
            (b"a", "YQ=="),
            (b"ab", "YWI="),
            (b"abc", "YWJj"),
            (b"\xff\x00\x10", "/wAQ"),
        ] {
            assert_eq!(base64_encode(raw), b64);
        }
        let mut v = Vec::new();
        put_varint(&mut v, 300);
        put_str(&mut v, "äiti");
        let mut r = Reader::new(&v);
        assert_eq!(r.varint(), Some(300));
        assert_eq!(r.str(), Some("äiti"));
        assert!(r.done());
        assert_eq!(Reader::new(&[0xff; 20]).varint(), None);
    }
}
