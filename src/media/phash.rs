//! 64-bit perceptual hash (DCT pHash) for spotting the same scene uploaded twice.
//!
//! The luma image is area-averaged to 32×32, transformed with a 2-D DCT-II, and the 8×8
//! lowest-frequency coefficients are compared against the median of the 63 AC ones: bit set = above.
//! Bit 0 (the DC term) is always 0. Re-encoding or resizing moves few bits; other scenes move about half.

const SIZE: usize = 32;
const KEEP: usize = 8;

/// Perceptual hash of a row-major 8-bit luma image; `None` when the buffer does not match the size.
pub fn phash(luma: &[u8], width: usize, height: usize) -> Option<u64> {
    let small = downsample(luma, width, height)?;
    let coeffs = dct_low(&small);
    let mut ac: Vec<f64> = coeffs.iter().skip(1).copied().collect();
    ac.sort_by(f64::total_cmp);
    let median = ac.get(ac.len() / 2).copied()?;
    let hash = coeffs.iter().enumerate().skip(1).filter(|(_, &c)| c > median).fold(0u64, |h, (i, _)| h | (1 << i));
    Some(hash)
}

/// Number of differing bits between two hashes (0 = same picture, ~32 = unrelated).
pub fn hamming(a: u64, b: u64) -> u32 {
    (a ^ b).count_ones()
}

/// Box-filters to 32×32; every output cell averages at least one source pixel.
fn downsample(luma: &[u8], width: usize, height: usize) -> Option<Vec<f64>> {
    if width == 0 || height == 0 || luma.len() != width.checked_mul(height)? {
        return None;
    }
    let span = |i: usize, n: usize| {
        let start = i * n / SIZE;
        (start, ((i + 1) * n / SIZE).max(start + 1))
    };
    let mut out = Vec::with_capacity(SIZE * SIZE);
    for oy in 0..SIZE {
        let (y0, y1) = span(oy, height);
        for ox in 0..SIZE {
            let (x0, x1) = span(ox, width);
            let mut sum = 0u64;
            for y in y0..y1 {
                let row = luma.get(y * width + x0..y * width + x1)?;
                sum += row.iter().map(|&v| u64::from(v)).sum::<u64>();
            }
            out.push(sum as f64 / ((y1 - y0) * (x1 - x0)) as f64);
        }
    }
    Some(out)
}

/// The top-left 8×8 block of the 32×32 DCT-II, row-major (index 0 is DC).
fn dct_low(pixels: &[f64]) -> Vec<f64> {
    let basis: Vec<f64> = (0..KEEP)
        .flat_map(|k| (0..SIZE).map(move |n| (std::f64::consts::PI / SIZE as f64 * (n as f64 + 0.5) * k as f64).cos()))
        .collect();
    let dot = |k: usize, values: &mut dyn Iterator<Item = f64>| -> f64 {
        basis.iter().skip(k * SIZE).zip(values).map(|(b, v)| b * v).sum()
    };
    // Rows first: for each of the 32 rows keep 8 horizontal frequencies.
    let rows: Vec<f64> = pixels
        .chunks_exact(SIZE)
        .flat_map(|row| (0..KEEP).map(|k| dot(k, &mut row.iter().copied())).collect::<Vec<_>>())
        .collect();
    // Then columns of that 32×8 matrix.
    let mut out = vec![0.0; KEEP * KEEP];
    for (i, slot) in out.iter_mut().enumerate() {
        let (v, u) = (i / KEEP, i % KEEP);
        *slot = dot(v, &mut rows.iter().skip(u).step_by(KEEP).copied());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gradient(w: usize, h: usize, f: impl Fn(usize, usize) -> u8) -> Vec<u8> {
        (0..h).flat_map(|y| (0..w).map(move |x| (x, y))).map(|(x, y)| f(x, y)).collect()
    }

    #[test]
    fn scaled_copy_hashes_close_and_different_pattern_far() {
        // Smooth, non-separable shading, like a photo's low frequencies.
        let scene = |w: usize, h: usize| {
            gradient(w, h, move |x, y| {
                let (u, v) = (x as f64 / w as f64, y as f64 / h as f64);
                (128.0 + 60.0 * (5.0 * u + 3.0 * v * v).sin() + 50.0 * (7.0 * u * v).cos()) as u8
            })
        };
        let big = phash(&scene(400, 300), 400, 300).unwrap();
        let small = phash(&scene(100, 75), 100, 75).unwrap();
        let other = phash(&gradient(400, 300, |x, y| ((x * y) % 251) as u8), 400, 300).unwrap();
        assert!(hamming(big, small) <= 4, "{}", hamming(big, small));
        assert!(hamming(big, other) >= 16, "{}", hamming(big, other));
    }

    #[test]
    fn tiny_and_mismatched_inputs() {
        assert!(phash(&[7], 1, 1).is_some());
        assert_eq!(phash(&[1, 2, 3], 2, 2), None);
        assert_eq!(phash(&[], 0, 0), None);
        assert_eq!(phash(&[0; 4], 2, 2).map(|h| h & 1), Some(0));
    }

    #[test]
    fn hamming_counts_bits() {
        assert_eq!(hamming(0, u64::MAX), 64);
        assert_eq!(hamming(0b1010, 0b0110), 2);
    }
}
