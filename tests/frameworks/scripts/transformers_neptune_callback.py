"""A tiny Hugging Face Trainer run with report_to="neptune": transformers' own NeptuneCallback,
unmodified, through the `neptune` compatibility distribution (NEPTUNE_PROJECT names the
project, as Neptune's documentation has it). The model is built from a config in code;
nothing is downloaded. trainer.state.log_history is the reference.

Usage: python transformers_neptune_callback.py OUT_DIR  (writes OUT_DIR/reference.json)
"""

import json
import sys
from pathlib import Path

import torch
from transformers import BertConfig, BertForSequenceClassification, Trainer, TrainingArguments
from transformers.integrations import NeptuneCallback


class Pairs(torch.utils.data.Dataset):
    def __init__(self, n: int, seed: int):
        g = torch.Generator().manual_seed(seed)
        self.ids = torch.randint(1, 30, (n, 8), generator=g)
        self.labels = (self.ids[:, 0] > 15).long()

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        return {"input_ids": self.ids[i], "labels": self.labels[i]}


def main(out: Path) -> None:
    torch.manual_seed(0)
    config = BertConfig(
        vocab_size=32,
        hidden_size=16,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=32,
        max_position_embeddings=16,
        num_labels=2,
    )
    args = TrainingArguments(
        output_dir=str(out / "trainer"),
        report_to="neptune",
        max_steps=12,
        logging_steps=3,
        eval_strategy="steps",
        eval_steps=6,
        save_steps=6,
        per_device_train_batch_size=8,
        learning_rate=1e-3,
        use_cpu=True,
        disable_tqdm=True,
    )
    trainer = Trainer(
        model=BertForSequenceClassification(config),
        args=args,
        train_dataset=Pairs(64, 1),
        eval_dataset=Pairs(16, 2),
    )
    trainer.train()
    run = NeptuneCallback.get_run(trainer)
    reference = {
        "run_id": run["sys/id"].fetch(),
        "log_history": trainer.state.log_history,
        "hidden_size": config.hidden_size,
    }
    (out / "reference.json").write_text(json.dumps(reference))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
