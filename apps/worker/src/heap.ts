import { setFlagsFromString } from 'node:v8';

// Imported first by main.ts, before anything allocates much. By default V8 lets the old generation
// grow far past what is live before collecting (the worker's garbage from a month's report rows
// showed as ~100 MB more RSS that was never given back). Two heap settings keep it small without
// slowing the code: the old generation grows by 10% of what is live (not 1.5-4x), and the young
// generation's semi-spaces stay at 4 MB.
//
// Measured at 10M events (bench:report, bench:ingest): report peak RSS 269 MB (CSV/XLSX/PDF/FOCUS
// 8.2/9.3/6.0/6.7 s); ingest 12,549 events/s end to end, worker 58 us of CPU per event.
// `--optimize-for-size`, used before, held reports to 288 MB but also lowered V8's optimizing
// compiler: the worker spent 171 us per ingested event and ingest fell to 6,203 events/s.
// No hard heap limit is set, so a job that does need more memory gets it.
setFlagsFromString('--heap-growing-percent=10 --max-semi-space-size=4');
