/* Log a training run from C with the despina JSON protocol (JSON lines).
 *
 *   cc -o log log.c -lm && ./log OUT.jsonl [RUN_ID]
 *
 * Then `despina import json OUT.jsonl`. Each line is flushed as it is written, so the file can
 * be imported while the program runs; a later import adds what was written since.
 */
#include <math.h>
#include <stdio.h>
#include <time.h>

int main(int argc, char **argv) {
    const char *path = argc > 1 ? argv[1] : "run.jsonl";
    const char *run_id = argc > 2 ? argv[2] : "c-run-1";
    FILE *out = fopen(path, "a");
    if (!out) {
        perror(path);
        return 1;
    }
    fprintf(out, "{\"kind\": \"run\", \"id\": \"%s\", \"project\": \"examples/json-protocol\"}\n",
            run_id);
    fprintf(out, "{\"op\": \"assign\", \"path\": \"sys/name\", \"value\": \"trained from C\"}\n");
    fprintf(out, "{\"op\": \"assign_float\", \"path\": \"params/momentum\", \"value\": %.17g}\n", 0.9);
    fprintf(out, "{\"op\": \"assign\", \"path\": \"params/layers\", \"value\": %d}\n", 4);
    fflush(out);
    for (int step = 0; step < 50; step++) {
        double loss = exp(-step / 10.0);
        /* %.17g writes a double that reads back exactly */
        fprintf(out,
                "{\"op\": \"append\", \"path\": \"train/loss\", \"step\": %d, \"value\": %.17g, "
                "\"timestamp\": %ld}\n",
                step, loss, (long)time(NULL));
        fflush(out);
    }
    fprintf(out, "{\"op\": \"mark_stopped\"}\n");
    fclose(out);
    return 0;
}
