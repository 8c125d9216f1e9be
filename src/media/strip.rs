//! Lossless metadata removal for kept originals: the coded pixel data is copied byte for byte,
//! every metadata container (EXIF, XMP, ICC, comments, text) is left out. Pure; no decoding.
//!
//! The result keeps the camera's stored orientation (the EXIF tag that said how to turn it is gone);
//! the display and thumbnail variants are the upright ones.

use super::ImageFormat;

/// The file without its metadata, or `None` when its structure cannot be walked safely.
pub fn strip_metadata(format: ImageFormat, bytes: &[u8]) -> Option<Vec<u8>> {
    match format {
        ImageFormat::Jpeg => jpeg(bytes),
        ImageFormat::Png => png(bytes),
        ImageFormat::Webp => webp(bytes),
    }
}

/// Drops APP1–APP13, APP15 (EXIF, XMP, ICC, MPF, IPTC, …) and COM before the first scan; keeps
/// APP0 (JFIF) and APP14 (Adobe colour transform), which decoders need.
fn jpeg(b: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(b.len());
    out.extend_from_slice(b.get(..2).filter(|soi| *soi == [0xFF, 0xD8])?);
    let mut pos = 2;
    loop {
        // Skip fill bytes and stray bytes up to the next marker, as decoders do.
        let rest = b.get(pos..)?;
        let ff = rest.iter().position(|&x| x == 0xFF)?;
        let code_at = ff + rest.get(ff..)?.iter().position(|&x| x != 0xFF)?;
        let marker = *rest.get(code_at)?;
        pos += code_at + 1;
        match marker {
            0xD0..=0xD7 | 0x01 => {
                out.extend_from_slice(&[0xFF, marker]);
                continue;
            }
            0xD9 => {
                out.extend_from_slice(&[0xFF, 0xD9]);
                return Some(out);
            }
            0x00 | 0xD8 => return None,
            _ => {}
        }
        let len = usize::from(u16::from_be_bytes([*b.get(pos)?, *b.get(pos + 1)?]));
        if len < 2 {
            return None;
        }
        let end = pos.checked_add(len)?;
        if marker == 0xDA {
            // Start of scan: everything from here on is coded data and later tables.
            out.extend_from_slice(&[0xFF, 0xDA]);
            out.extend_from_slice(b.get(pos..)?);
            return Some(out);
        }
        let metadata = matches!(marker, 0xE1..=0xED | 0xEF | 0xFE);
        if !metadata {
            out.extend_from_slice(&[0xFF, marker]);
            out.extend_from_slice(b.get(pos..end)?);
        }
        pos = end;
    }
}

/// PNG chunks that carry the picture; every other ancillary chunk (text, eXIf, iCCP, tIME, …) goes.
const PNG_KEEP: [&[u8; 4]; 8] = [b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS", b"acTL", b"fcTL", b"fdAT"];

fn png(b: &[u8]) -> Option<Vec<u8>> {
    let mut out = b.get(..8)?.to_vec();
    let mut pos = 8;
    loop {
        let len = usize::try_from(u32::from_be_bytes(b.get(pos..pos + 4)?.try_into().ok()?)).ok()?;
        let kind: &[u8; 4] = b.get(pos + 4..pos + 8)?.try_into().ok()?;
        let end = pos.checked_add(12)?.checked_add(len)?;
        let chunk = b.get(pos..end)?;
        if PNG_KEEP.contains(&kind) {
            out.extend_from_slice(chunk);
        }
        if kind == b"IEND" {
            return Some(out);
        }
        pos = end;
    }
}

/// Drops ICCP, EXIF and XMP chunks, clears their VP8X flags and fixes the RIFF size.
fn webp(b: &[u8]) -> Option<Vec<u8>> {
    let declared = usize::try_from(u32::from_le_bytes(b.get(4..8)?.try_into().ok()?)).ok()?;
    let body_end = declared.checked_add(8)?.min(b.len());
    let mut out = b.get(..12)?.to_vec();
    let mut pos = 12;
    while pos + 8 <= body_end {
        let kind = b.get(pos..pos + 4)?;
        let len = usize::try_from(u32::from_le_bytes(b.get(pos + 4..pos + 8)?.try_into().ok()?)).ok()?;
        let end = pos.checked_add(8)?.checked_add(len)?.checked_add(len % 2)?.min(body_end);
        let chunk = b.get(pos..end)?;
        match kind {
            b"ICCP" | b"EXIF" | b"XMP " => {}
            b"VP8X" => {
                let mut vp8x = chunk.to_vec();
                // Flags byte: ICC 0x20, EXIF 0x08, XMP 0x04.
                *vp8x.get_mut(8)? &= !(0x20 | 0x08 | 0x04);
                out.extend_from_slice(&vp8x);
            }
            _ => out.extend_from_slice(chunk),
        }
        pos = end;
    }
    let riff = u32::try_from(out.len().checked_sub(8)?).ok()?;
    out.get_mut(4..8)?.copy_from_slice(&riff.to_le_bytes());
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jpeg_loses_app1_app2_and_comments_but_keeps_tables_and_scan() {
        let mut j = vec![0xFF, 0xD8];
        j.extend_from_slice(&[0xFF, 0xE0, 0, 4, b'J', b'F']);
        j.extend_from_slice(&[0xFF, 0xE1, 0, 6, b'E', b'x', b'i', b'f']);
        j.extend_from_slice(&[0xFF, 0xE2, 0, 4, b'I', b'C']);
        j.extend_from_slice(&[0xFF, 0xFE, 0, 3, b'c']);
        j.extend_from_slice(&[0xFF, 0xDB, 0, 3, 7]);
        j.extend_from_slice(&[0xFF, 0xDA, 0, 2, 1, 2, 0xFF, 0x00, 3, 0xFF, 0xD9]);
        let out = jpeg(&j).unwrap();
        let want = [
            0xFF, 0xD8, 0xFF, 0xE0, 0, 4, b'J', b'F', 0xFF, 0xDB, 0, 3, 7, 0xFF, 0xDA, 0, 2, 1, 2, 0xFF, 0x00, 3, 0xFF,
            0xD9,
        ];
        assert_eq!(out, want);
        assert_eq!(jpeg(&j[..9]), None);
        assert_eq!(jpeg(b"not a jpeg"), None);
    }

    fn chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
        let mut c = (data.len() as u32).to_be_bytes().to_vec();
        c.extend_from_slice(kind);
        c.extend_from_slice(data);
        c.extend_from_slice(&[9; 4]);
        c
    }

    #[test]
    fn png_keeps_only_picture_chunks() {
        let parts = [
            chunk(b"IHDR", &[0; 13]),
            chunk(b"eXIf", b"MM"),
            chunk(b"iCCP", b"x"),
            chunk(b"tEXt", b"k\0v"),
            chunk(b"IDAT", b"pixels"),
            chunk(b"IEND", b""),
        ];
        let mut p = b"\x89PNG\r\n\x1a\n".to_vec();
        parts.iter().for_each(|c| p.extend_from_slice(c));
        let mut want = b"\x89PNG\r\n\x1a\n".to_vec();
        for c in [&parts[0], &parts[4], &parts[5]] {
            want.extend_from_slice(c);
        }
        assert_eq!(png(&p).unwrap(), want);
        assert_eq!(png(&p[..40]), None);
    }

    #[test]
    fn webp_drops_metadata_chunks_and_flags() {
        let riff = |chunks: &[(&[u8; 4], &[u8])]| {
            let mut body = b"WEBP".to_vec();
            for (kind, data) in chunks {
                body.extend_from_slice(*kind);
                body.extend_from_slice(&(data.len() as u32).to_le_bytes());
                body.extend_from_slice(data);
                if data.len() % 2 == 1 {
                    body.push(0);
                }
            }
            let mut f = b"RIFF".to_vec();
            f.extend_from_slice(&(body.len() as u32).to_le_bytes());
            f.extend(body);
            f
        };
        let vp8x_in = [0x2C, 0, 0, 0, 1, 0, 0, 1, 0, 0];
        let vp8x_out = [0x00, 0, 0, 0, 1, 0, 0, 1, 0, 0];
        let input =
            riff(&[(b"VP8X", &vp8x_in), (b"ICCP", b"icc"), (b"VP8 ", b"frame"), (b"EXIF", b"MM"), (b"XMP ", b"<x/>")]);
        let want = riff(&[(b"VP8X", &vp8x_out), (b"VP8 ", b"frame")]);
        assert_eq!(webp(&input).unwrap(), want);
    }
}
