/* k6_csv.h - reads k6's `--out csv` (plain or gzip) into a k6_agg.
 *
 * Header: metric_name,timestamp,metric_value,<system tags…>,extra_tags,metadata.
 * Lossy by nature (values printed with 6 decimals, timestamps in whole
 * seconds by default): percentiles from CSV are close to k6's, not exact.
 */
#ifndef LOADREP_K6_CSV_H
#define LOADREP_K6_CSV_H

struct reader;
struct k6_agg;
struct err;

int k6_csv_read(struct reader *r, struct k6_agg *a, long *rows, struct err *err);

#endif
