"""The Hub format: a folder of ``config.json`` (the LIIF spec) and ``model.safetensors``, as huggingface_hub's
``PyTorchModelHubMixin`` writes them, with a model card. Only writing one needs the Hub's library (imported
here, never by loading): :func:`liif.weights.checkpoints.load_path` reads a folder as JSON and safetensors.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from huggingface_hub import ModelCard, PyTorchModelHubMixin

from liif.core.model import LIIF

MODEL_CARD = """
---
{{ card_data }}
---

# {{ title | default("LIIF") }}

LIIF (Local Implicit Image Function) for arbitrary-scale single-image super-resolution: an image becomes a
grid of latent codes and a small MLP returns the colour at any continuous point.

- Architecture: {{ architecture | default("see config.json") }}
- Source: {{ source | default("see the liif package") }}
- Paper: Yinbo Chen, Sifei Liu, Xiaolong Wang, "Learning Continuous Image Representation with Local
  Implicit Image Function", CVPR 2021, https://arxiv.org/abs/2012.09161
- Official code and weights: https://github.com/yinboc/liif (BSD-3-Clause, Copyright (c) 2020 Yinbo Chen)
- Licence: BSD-3-Clause

## Files

| file | sha256 |
|---|---|
{% for name, digest in (hashes or {}).items() %}| {{ name }} | {{ digest }} |
{% endfor %}

Load with the `liif` package: `liif.load_model("<this repo or folder>")`.

## Citation

```bibtex
@inproceedings{chen2021learning,
  title={Learning Continuous Image Representation with Local Implicit Image Function},
  author={Chen, Yinbo and Liu, Sifei and Wang, Xiaolong},
  booktitle={Proceedings of the IEEE/CVF Conference on Computer Vision and Pattern Recognition},
  pages={8628--8638},
  year={2021}
}
```
"""


class HubLIIF(
    LIIF,
    PyTorchModelHubMixin,
    library_name="liif",
    license="bsd-3-clause",
    repo_url="https://github.com/yinboc/liif",
    paper_url="https://arxiv.org/abs/2012.09161",
    pipeline_tag="image-to-image",
    tags=["super-resolution", "liif", "implicit-neural-representation"],
    model_card_template=MODEL_CARD,
):
    """A LIIF the Hub mixin can write: its config is the spec it was built with."""


def as_hub(model: LIIF) -> HubLIIF:
    """The same weights in the class the mixin writes."""
    copy = HubLIIF(**model.spec)
    copy.load_checked({k: v.cpu() for k, v in model.state_dict().items()})
    return copy


def save_folder(model: LIIF, folder: Path) -> None:
    """``config.json`` and ``model.safetensors`` of ``model`` in ``folder``."""
    as_hub(model).save_pretrained(folder)


def model_card(model: LIIF, **fields: Any) -> ModelCard:
    """The model card of :data:`MODEL_CARD` for ``model``, its fields filled."""
    return as_hub(model).generate_model_card(**fields)
