//! End-to-end throughput: our pipeline vs libvips' `vipsthumbnail`, one core, same photos and outputs.
//!
//! Ours: decode once, orient, display (long edge 1600, q80) + thumbnail (320, q80), hashes, from bytes
//! in memory. libvips: `vipsthumbnail` (shrink-on-load, auto-rotate, strip, Q=80) run once per size
//! over all files with `VIPS_CONCURRENCY=1`; its start-up is cancelled by timing the file list twice
//! and once and taking the difference. The bench re-executes itself under `taskset -c 0` when
//! available, so both sides (and jpeg-decoder's per-component worker threads) share one core; it
//! reports wall time and process CPU time (user + sys, from /proc). Skips libvips when it is not
//! installed. `BENCH_ROUNDS` sets the number of rounds (default 5).

use std::{
    error::Error,
    path::{Path, PathBuf},
    process::Command,
    time::{Duration, Instant},
};

use hazardline::media::{process, MediaLimits};

const LARGE: [&str; 3] = ["HMD_Nokia_8.3_5G.jpg", "jolla.jpg", "nom-exif_exif.jpg"];

fn main() -> Result<(), Box<dyn Error>> {
    if std::env::var_os("MEDIA_BENCH_PINNED").is_none() && succeeds("taskset", "--version") {
        let status = Command::new("taskset")
            .args(["-c", "0"])
            .arg(std::env::current_exe()?)
            .args(std::env::args_os().skip(1))
            .env("MEDIA_BENCH_PINNED", "1")
            .status()?;
        std::process::exit(status.code().unwrap_or(1));
    }
    match std::env::var_os("MEDIA_BENCH_PINNED") {
        Some(_) => println!("pinned to CPU 0 (taskset); libvips runs inherit the pinning"),
        None => {
            println!("not pinned (no taskset): jpeg-decoder worker threads may use other cores")
        }
    }
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/testdata/photos");
    if !dir.exists() {
        eprintln!("skipping: {} not found", dir.display());
        return Ok(());
    }
    let rounds: usize = std::env::var("BENCH_ROUNDS").ok().and_then(|v| v.parse().ok()).unwrap_or(5);
    let mut photos: Vec<PathBuf> = std::fs::read_dir(&dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| !x.eq_ignore_ascii_case("heic")))
        .collect();
    photos.sort();
    let loaded: Vec<(PathBuf, Vec<u8>)> =
        photos.iter().map(|p| std::fs::read(p).map(|b| (p.clone(), b))).collect::<Result<_, _>>()?;
    let vips = Vips::detect();
    if vips.is_none() {
        println!("libvips: vipsthumbnail not found (apt-get install libvips-tools); timing ours only");
    }
    let limits = MediaLimits::default();
    let clock = Clock::new();
    // CPU time comes in scheduler ticks, so it is always measured over a batch, never one call.
    let ours_batch = |batch: &[&[u8]]| -> Result<Sample, Box<dyn Error>> {
        let start = clock.now(false);
        for bytes in batch {
            std::hint::black_box(process(bytes, &limits)?);
        }
        Ok(clock.now(false).since(start))
    };
    let all: Vec<&[u8]> = loaded.iter().map(|(_, b)| b.as_slice()).collect();

    println!("all {} photos (JPEG, WebP, PNG; HEIC excluded), median of {rounds} rounds:", photos.len());
    ours_batch(&all)?; // warm-up
    let (mut ours_rounds, mut vips_rounds) = (Vec::new(), Vec::new());
    for _ in 0..rounds {
        ours_rounds.push(ours_batch(&all)?);
        if let Some(v) = &vips {
            vips_rounds.push(v.per_pass(&photos, 2, &clock)?);
        }
    }
    report("all photos", photos.len(), median(ours_rounds), vips.as_ref().map(|_| median(vips_rounds)));

    const RUNS: usize = 10;
    println!("large phone JPEGs, {RUNS} runs each:");
    for name in LARGE {
        let Some((path, bytes)) = loaded.iter().find(|(p, _)| p.ends_with(name)) else {
            continue;
        };
        let ours = ours_batch(&[bytes.as_slice(); RUNS])?;
        let theirs = match &vips {
            Some(v) => Some(v.per_pass(std::slice::from_ref(path), RUNS, &clock)?.times(RUNS)),
            None => None,
        };
        report(name, RUNS, ours, theirs);
    }
    if let Some(v) = vips {
        v.cleanup();
    }
    Ok(())
}

fn succeeds(cmd: &str, arg: &str) -> bool {
    Command::new(cmd).arg(arg).output().is_ok_and(|o| o.status.success())
}

/// Wall time and CPU time (user + sys) of one measured piece of work.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
struct Sample {
    wall: Duration,
    cpu: Duration,
}

impl Sample {
    fn plus(self, o: Sample) -> Sample {
        Sample { wall: self.wall + o.wall, cpu: self.cpu + o.cpu }
    }

    fn times(self, n: usize) -> Sample {
        let n = u32::try_from(n).unwrap_or(u32::MAX);
        Sample { wall: self.wall * n, cpu: self.cpu * n }
    }

    fn div(self, n: u32) -> Sample {
        Sample { wall: self.wall / n.max(1), cpu: self.cpu / n.max(1) }
    }

    fn since(self, start: Sample) -> Sample {
        Sample { wall: self.wall.saturating_sub(start.wall), cpu: self.cpu.saturating_sub(start.cpu) }
    }
}

/// Reads this process's (or its waited-for children's) CPU time from /proc/self/stat.
struct Clock {
    origin: Instant,
    tick: f64,
}

impl Clock {
    fn new() -> Self {
        let hz = Command::new("getconf")
            .arg("CLK_TCK")
            .output()
            .ok()
            .and_then(|o| String::from_utf8(o.stdout).ok())
            .and_then(|s| s.trim().parse::<f64>().ok())
            .unwrap_or(100.0);
        Self { origin: Instant::now(), tick: 1.0 / hz }
    }

    fn now(&self, children: bool) -> Sample {
        let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
        // Fields after the ")" closing the command name start at field 3; utime is 14, cutime 16.
        let fields: Vec<f64> = stat
            .rsplit_once(')')
            .map(|(_, rest)| rest.split_whitespace().map(|f| f.parse().unwrap_or(0.0)).collect())
            .unwrap_or_default();
        let skip = if children { 13 } else { 11 };
        let ticks: f64 = fields.iter().skip(skip).take(2).sum();
        Sample { wall: self.origin.elapsed(), cpu: Duration::from_secs_f64(ticks * self.tick) }
    }
}

fn median(mut v: Vec<Sample>) -> Sample {
    v.sort_by_key(|s| s.wall);
    let wall = v.get(v.len() / 2).map(|s| s.wall).unwrap_or_default();
    v.sort_by_key(|s| s.cpu);
    let cpu = v.get(v.len() / 2).map(|s| s.cpu).unwrap_or_default();
    Sample { wall, cpu }
}

fn report(label: &str, images: usize, ours: Sample, vips: Option<Sample>) {
    let rate = |d: Duration| images as f64 / d.as_secs_f64().max(1e-9);
    let ms = |d: Duration| d.as_secs_f64() * 1000.0 / images as f64;
    println!("  {label}");
    println!(
        "    ours     wall {:6.1} img/s ({:6.1} ms/img)   cpu {:6.1} ms/img",
        rate(ours.wall),
        ms(ours.wall),
        ms(ours.cpu)
    );
    if let Some(v) = vips {
        println!(
            "    libvips  wall {:6.1} img/s ({:6.1} ms/img)   cpu {:6.1} ms/img",
            rate(v.wall),
            ms(v.wall),
            ms(v.cpu)
        );
        println!(
            "    ratio (ours/libvips throughput): wall {:.2}x   cpu {:.2}x",
            rate(ours.wall) / rate(v.wall),
            rate(ours.cpu) / rate(v.cpu)
        );
    }
}

/// `vipsthumbnail` on one core, writing both variants to a scratch directory.
struct Vips {
    out: PathBuf,
}

impl Vips {
    fn detect() -> Option<Self> {
        if !succeeds("vipsthumbnail", "--vips-version") {
            return None;
        }
        let out = std::env::temp_dir().join(format!("media-bench-vips-{}", std::process::id()));
        std::fs::create_dir_all(&out).ok()?;
        Some(Self { out })
    }

    /// Time for display + thumbnail of every file once, with process start-up cancelled out by
    /// subtracting a run over the list once from a run over it `1 + passes` times.
    fn per_pass(&self, files: &[PathBuf], passes: usize, clock: &Clock) -> Result<Sample, Box<dyn Error>> {
        let mut total = Sample::default();
        for (edge, suffix) in [(1600, "display"), (320, "thumb")] {
            let once = self.run(files, 1, edge, suffix, clock)?;
            let twice = self.run(files, 1 + passes, edge, suffix, clock)?;
            total = total
                .plus(Sample { wall: twice.wall.saturating_sub(once.wall), cpu: twice.cpu.saturating_sub(once.cpu) });
        }
        Ok(total.div(u32::try_from(passes).unwrap_or(u32::MAX)))
    }

    fn run(
        &self,
        files: &[PathBuf],
        copies: usize,
        edge: u32,
        suffix: &str,
        clock: &Clock,
    ) -> Result<Sample, Box<dyn Error>> {
        let mut cmd = Command::new("vipsthumbnail");
        let output = self.out.join(format!("%s_{suffix}.jpg[Q=80,strip]"));
        cmd.env("VIPS_CONCURRENCY", "1").arg("--size").arg(format!("{edge}x{edge}>")).arg("-o").arg(output);
        for _ in 0..copies {
            cmd.args(files);
        }
        let start = clock.now(true);
        let status = cmd.status()?;
        let elapsed = clock.now(true).since(start);
        if !status.success() {
            return Err(format!("vipsthumbnail exited with {status}").into());
        }
        Ok(elapsed)
    }

    fn cleanup(self) {
        let _ = std::fs::remove_dir_all(&self.out);
    }
}
