//! The intake's understanding: building the lexicon of the seed categories (the segmenter's
//! dictionary plus every keyword), and understanding one typical report and the whole labelled set.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use hazardline::intake::{
    eval,
    nlu::{understand, Lexicon},
};

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("intake");
    group.sample_size(10);
    group.bench_function("lexicon_from_seeds", |b| b.iter(|| black_box(Lexicon::from_seeds())));
    let lex = Lexicon::from_seeds();
    let text = "幸福小区3栋2单元楼道停了五六辆电动车，有人从家里拉了根线下来充电，天天晚上都充";
    group.sample_size(100);
    group.bench_function("understand_one_report", |b| b.iter(|| black_box(understand(&lex, black_box(text)))));
    let samples = eval::parse(include_str!("../eval/intake-eval.tsv")).unwrap_or_default();
    group.sample_size(10);
    group.bench_function("evaluate_389_reports", |b| b.iter(|| black_box(eval::evaluate(&lex, &samples))));
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
