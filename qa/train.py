"""Fine-tune the bundled MiniLM encoder plus a span head into an extractive reader.

Built for a shared 2-core CPU: dynamic padding with length-grouped batches,
a checkpoint every few minutes that a crash mid-save never leaves half
written, ``resume`` that continues at the exact step (same data order,
optimizer and RNG state), and a time budget so a run can stop cleanly and
continue in a later sitting. bf16 autocast is an option for CPUs with native
bf16 (or CUDA): emulated, it is slower than fp32.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import os
import pickle
import random
import shutil
import time
from dataclasses import asdict, dataclass, fields
from pathlib import Path

import numpy as np

from index.encoder import encoder_dir
from index.wordpieces import WordPieces
from qa.features import Feature, build_features
from qa.modeling import load_reader_model, save_reader
from qa.negatives import make_negatives
from qa.squad import load_examples
from qa.windows import pad_batch

log = logging.getLogger("qa.train")


@dataclass
class TrainConfig:
    train_files: list[str]
    out_dir: str = "runs/reader"
    init_from: str = ""  # a reader or encoder directory; empty means the bundled encoder
    max_length: int = 256
    stride: int = 128
    negative_rate: float = 0.1  # share of questions also paired with another paragraph of their article
    perturb_rate: float = 0.0  # share of questions also edited into an unanswerable one (qa.negatives)
    removal_rate: float = 0.0  # share of questions also paired with their paragraph less the answer's sentences
    similar_rate: float = 0.0  # share of questions also paired with the article's paragraph most like them
    swap_rate: float = 0.0  # share of questions also given a name, number or year from elsewhere in their paragraph
    batch_size: int = 32
    learning_rate: float = 1e-4
    weight_decay: float = 0.01
    warmup_ratio: float = 0.05
    epochs: float = 1.0
    max_steps: int = 0  # overrides ``epochs`` when set: the schedule spans exactly this many steps
    limit: int = 0  # use only the first N questions after shuffling (quick runs)
    seed: int = 13
    bf16: bool = False  # only where the CPU has native bf16: emulated bf16 is far slower (README, Training)
    checkpoint_minutes: float = 5.0
    budget_minutes: float = 0.0  # stop (after a checkpoint) once this much time is spent; 0 = no limit
    log_every: int = 20


def _feature_cache_key(config: TrainConfig) -> str:
    parts = [config.init_from, config.max_length, config.stride, config.negative_rate, config.seed, config.limit]
    parts += [config.perturb_rate] if config.perturb_rate else []  # older runs keep their cache key
    parts += [config.removal_rate] if config.removal_rate else []
    parts += [config.similar_rate] if config.similar_rate else []
    parts += [f"swap{config.swap_rate}"] if config.swap_rate else []
    for name in config.train_files:
        stat = os.stat(name)
        parts += [os.path.abspath(name), stat.st_size, int(stat.st_mtime)]
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()[:16]


def prepare_features(config: TrainConfig, tokenizer) -> list[Feature]:
    """Build (or load cached) labelled windows for every training question."""
    from tqdm import tqdm

    cache = Path(config.out_dir) / f"features-{_feature_cache_key(config)}.pkl"
    if cache.is_file():
        with cache.open("rb") as handle:
            return pickle.load(handle)
    examples = [e for name in config.train_files for e in load_examples(name)]
    random.Random(config.seed).shuffle(examples)
    if config.limit:
        examples = examples[: config.limit]
    negatives = make_negatives(
        examples,
        config.perturb_rate,
        config.negative_rate,
        config.seed,
        removal_rate=config.removal_rate,
        similar_rate=config.similar_rate,
        swap_rate=config.swap_rate,
    )
    examples = examples + [n.example for n in negatives]
    with tqdm(total=len(examples), desc="features", unit="q") as bar:
        features = build_features(tokenizer, examples, config.max_length, config.stride, progress=bar)
    cache.parent.mkdir(parents=True, exist_ok=True)
    with open(f"{cache}.tmp", "wb") as handle:
        pickle.dump(features, handle, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(f"{cache}.tmp", cache)
    return features


def batch_order(lengths: list[int], batch_size: int, epoch: int, seed: int) -> list[list[int]]:
    """Shuffled batches of similar length: little padding, still a random order of batches."""
    rng = random.Random(seed * 1000 + epoch)
    indices = list(range(len(lengths)))
    rng.shuffle(indices)
    pool = batch_size * 50
    batches = []
    for begin in range(0, len(indices), pool):
        chunk = sorted(indices[begin : begin + pool], key=lambda i: lengths[i])
        batches += [chunk[b : b + batch_size] for b in range(0, len(chunk), batch_size)]
    rng.shuffle(batches)
    return batches


def collate(features: list[Feature], indices: list[int]):
    """A padded batch with its start/end labels."""
    import torch

    batch = [features[i] for i in indices]
    ids, types, mask = pad_batch(batch)
    return ids, types, mask, torch.tensor([f.start for f in batch]), torch.tensor([f.end for f in batch])


def train(config: TrainConfig, resume: bool = False) -> Path:
    """Train until the schedule ends or the budget runs out; returns the checkpoint directory."""
    import torch
    from tqdm import tqdm

    began = time.monotonic()
    out = Path(config.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    _recover_checkpoint(out)
    state_path = out / "checkpoint" / "state.pt"
    resuming = resume and state_path.is_file()
    if resuming:
        config = resumed_config(config, out / "checkpoint" / "config.json")
    random.seed(config.seed)
    np.random.seed(config.seed)
    torch.manual_seed(config.seed)
    source = config.init_from or str(encoder_dir())
    tokenizer = WordPieces(source)
    features = prepare_features(config, tokenizer)
    lengths = [len(f.input_ids) for f in features]
    steps_per_epoch = math.ceil(len(features) / config.batch_size)
    total_steps = config.max_steps or math.ceil(steps_per_epoch * config.epochs)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    # Dropout on attention probabilities costs more than half the forward pass on CPU for little
    # regularisation (the figures are in the model card's sittings 1-4 table).
    model = load_reader_model(source, attention_probs_dropout_prob=0.0).to(device)
    optimizer, scheduler = _optimiser(model, config, total_steps, device)
    step = 0
    if resuming:
        step = _restore(state_path, device, model, optimizer, scheduler)
        log.info("resumed at step %d of %d", step, total_steps)
    (out / "checkpoint").mkdir(exist_ok=True)
    log.info("%d features, %d steps (%d per epoch), device %s", len(features), total_steps, steps_per_epoch, device)
    model.train()
    last_save = time.monotonic()
    bar = tqdm(total=total_steps, initial=step, desc="train", unit="step", dynamic_ncols=True)
    epoch_batches: dict[int, list[list[int]]] = {}
    autocast = torch.autocast(device_type=device, dtype=torch.bfloat16, enabled=config.bf16)
    losses: list[float] = []  # since the last progress line
    while step < total_steps:
        epoch, position = divmod(step, steps_per_epoch)
        if epoch not in epoch_batches:
            epoch_batches = {epoch: batch_order(lengths, config.batch_size, epoch, config.seed)}
        batch = collate(features, epoch_batches[epoch][position])
        losses.append(_step(model, optimizer, scheduler, batch, autocast, device))
        step += 1
        bar.update(1)
        if step % config.log_every == 0 or step == total_steps:
            _report(bar, scheduler, step, total_steps, sum(losses) / len(losses))
            losses = []
        out_of_time = budget_spent(config, began)
        if checkpoint_due(config, step, total_steps, out_of_time, last_save):
            _save_checkpoint(out, config, model, optimizer, scheduler, step, total_steps, tokenizer)
            last_save = time.monotonic()
        if out_of_time:
            log.info("time budget spent at step %d of %d; continue with --resume", step, total_steps)
            break
    bar.close()
    return out / "checkpoint"


def resumed_config(config: TrainConfig, saved_path: Path) -> TrainConfig:
    """A resumed run keeps its saved settings; only the budget and, when given, a new schedule length change."""
    saved = json.loads(saved_path.read_text())
    saved = {key: value for key, value in saved.items() if key in {f.name for f in fields(TrainConfig)}}
    override = {
        "budget_minutes": config.budget_minutes,
        **({"max_steps": config.max_steps} if config.max_steps else {}),
    }
    return TrainConfig(**{**saved, **override})


def _optimiser(model, config: TrainConfig, total_steps: int, device: str):
    """AdamW (no decay on biases and norms) and a linear warm-up then linear decay to 0 at ``total_steps``."""
    import torch

    optimizer = torch.optim.AdamW(
        _param_groups(model, config.weight_decay), lr=config.learning_rate, fused=device == "cuda"
    )
    warmup = max(1, int(total_steps * config.warmup_ratio))

    def schedule(step: int) -> float:
        return step / warmup if step < warmup else max(0.0, (total_steps - step) / max(1, total_steps - warmup))

    return optimizer, torch.optim.lr_scheduler.LambdaLR(optimizer, schedule)


def _restore(state_path: Path, device: str, model, optimizer, scheduler) -> int:
    """Load a checkpoint's model, optimiser, schedule and torch RNG state; returns the step it was taken at."""
    import torch

    state = torch.load(state_path, map_location=device, weights_only=False)
    model.load_state_dict(state["model"])
    optimizer.load_state_dict(state["optimizer"])
    scheduler.load_state_dict(state["scheduler"])
    torch.set_rng_state(state["torch_rng"])
    return state["step"]


def _step(model, optimizer, scheduler, batch, autocast, device: str) -> float:
    """One optimiser step on a collated batch (gradients clipped to norm 1); returns its loss."""
    import torch

    ids, types, mask, starts, ends = (t.to(device) for t in batch)
    with autocast:
        output = model(input_ids=ids, token_type_ids=types, attention_mask=mask)
    loss = _span_loss(output.start_logits.float(), output.end_logits.float(), mask, starts, ends)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    optimizer.step()
    scheduler.step()
    optimizer.zero_grad(set_to_none=True)
    return loss.item()


def _report(bar, scheduler, step: int, total_steps: int, mean_loss: float) -> None:
    bar.set_postfix(loss=f"{mean_loss:.3f}", lr=f"{scheduler.get_last_lr()[0]:.2e}")
    log.info(
        "step %d/%d loss %.4f lr %.3e eta %s",
        step,
        total_steps,
        mean_loss,
        scheduler.get_last_lr()[0],
        bar.format_interval(_eta(bar)),
    )


def budget_spent(config: TrainConfig, began: float) -> bool:
    """Whether the run's time budget (``budget_minutes``, 0 = none) is spent since ``began`` (monotonic)."""
    return bool(config.budget_minutes) and time.monotonic() - began > config.budget_minutes * 60


def checkpoint_due(config: TrainConfig, step: int, total_steps: int, out_of_time: bool, last_save: float) -> bool:
    """Save at the schedule's end, before stopping for the budget, and every ``checkpoint_minutes`` in between."""
    return step == total_steps or out_of_time or time.monotonic() - last_save > config.checkpoint_minutes * 60


def _eta(bar) -> float:
    rate = bar.format_dict.get("rate") or 0
    return (bar.total - bar.n) / rate if rate else 0.0


def _param_groups(model, weight_decay: float):
    decay, no_decay = [], []
    for name, param in model.named_parameters():
        (no_decay if param.ndim == 1 or "LayerNorm" in name else decay).append(param)
    return [{"params": decay, "weight_decay": weight_decay}, {"params": no_decay, "weight_decay": 0.0}]


def _span_loss(start_logits, end_logits, mask, starts, ends):
    import torch.nn.functional as F

    blocked = mask == 0
    start_logits = start_logits.masked_fill(blocked, -1e4)
    end_logits = end_logits.masked_fill(blocked, -1e4)
    return (F.cross_entropy(start_logits, starts) + F.cross_entropy(end_logits, ends)) / 2


def _save_checkpoint(out: Path, config, model, optimizer, scheduler, step, total_steps, tokenizer) -> None:
    """Write the whole checkpoint beside the last one, then swap the two folders: an interrupted save leaves the
    last checkpoint whole (``_recover_checkpoint`` finishes a swap cut between its two renames)."""
    import torch

    directory = out / "checkpoint.new"
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir()
    state = {
        "model": model.state_dict(),
        "optimizer": optimizer.state_dict(),
        "scheduler": scheduler.state_dict(),
        "step": step,
        "torch_rng": torch.get_rng_state(),
    }
    torch.save(state, directory / "state.pt")
    (directory / "config.json").write_text(json.dumps(asdict(config), indent=2))
    (directory / "progress.json").write_text(json.dumps({"step": step, "total_steps": total_steps}))
    save_reader(model, tokenizer, directory / "reader")
    current, old = out / "checkpoint", out / "checkpoint.old"
    shutil.rmtree(old, ignore_errors=True)
    if current.exists():
        os.replace(current, old)
    os.replace(directory, current)
    shutil.rmtree(old, ignore_errors=True)
    log.info("checkpoint at step %d", step)


def _recover_checkpoint(out: Path) -> None:
    """Put back the last whole checkpoint when a save was cut between moving it aside and moving the new one in."""
    if not (out / "checkpoint" / "state.pt").is_file() and (out / "checkpoint.old" / "state.pt").is_file():
        shutil.rmtree(out / "checkpoint", ignore_errors=True)
        os.replace(out / "checkpoint.old", out / "checkpoint")
