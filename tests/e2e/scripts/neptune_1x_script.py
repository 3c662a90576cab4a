"""A Neptune 1.x training script from its documentation, with one line changed."""

import argparse

import numpy as np

import despina as neptune  # the one changed line: was `import neptune`

parser = argparse.ArgumentParser()
parser.add_argument("--lr", type=float, default=0.01)
parser.add_argument("--layers", type=int, nargs="+", default=[64, 32])
args = parser.parse_args([])

run = neptune.init_run(
    project="common/quickstarts",
    api_token=neptune.ANONYMOUS_API_TOKEN,
    tags=["quickstart", "script"],
    dependencies=None,
    capture_hardware_metrics=False,
)
params = {"learning_rate": args.lr, "optimizer": "Adam", "layers": args.layers}
run["parameters"] = neptune.utils.stringify_unsupported(params)
run["args"] = neptune.utils.stringify_unsupported(args)
for epoch in range(10):
    run["train/loss"].log(0.99**epoch)
    run["train/accuracy"].append(1 - 0.99**epoch, step=epoch)
run["eval/f1_score"] = 0.66
run["eval/predictions"].upload(
    neptune.types.File.as_html(__import__("pandas").DataFrame({"a": [1]}))
)
run["eval/sample"].upload(neptune.types.File.as_image(np.zeros((4, 4))))
run["sys/tags"].add(["finished"])
run["notes"] = "plain note"
run.wait()
print(run["sys/id"].fetch())
run.stop()
