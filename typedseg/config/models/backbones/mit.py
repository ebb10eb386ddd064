"""MMSegmentation's MixVisionTransformer (SegFormer's MiT-b0...b5 encoders)."""

from typing import Literal

from pydantic import PositiveInt, model_validator

from typedseg.config.base import Rules, Seq
from typedseg.config.models.backbones._base import (
    DropRate,
    _Backbone,
    _check_length,
    _check_out_indices,
    _check_pretrained,
)
from typedseg.config.models.common import GELU, LN, ActConfig, InitConfig, NormConfig, default

MIT_ARCHS: dict[str, dict[str, int | tuple[int, ...]]] = {
    "b0": {"embed_dims": 32, "num_layers": (2, 2, 2, 2), "num_heads": (1, 2, 5, 8)},
    "b1": {"embed_dims": 64, "num_layers": (2, 2, 2, 2), "num_heads": (1, 2, 5, 8)},
    "b2": {"embed_dims": 64, "num_layers": (3, 4, 6, 3), "num_heads": (1, 2, 5, 8)},
    "b3": {"embed_dims": 64, "num_layers": (3, 4, 18, 3), "num_heads": (1, 2, 5, 8)},
    "b4": {"embed_dims": 64, "num_layers": (3, 8, 27, 3), "num_heads": (1, 2, 5, 8)},
    "b5": {"embed_dims": 64, "num_layers": (3, 6, 40, 3), "num_heads": (1, 2, 5, 8)},
}
"""SegFormer's MiT-b0..b5: the MixVisionTransformer settings of MMSegmentation's segformer configs."""


class MixVisionTransformer(_Backbone):
    """SegFormer's Mix Transformer (MiT): overlapping patch embeddings and efficient self-attention."""

    type: Literal["MixVisionTransformer"] = "MixVisionTransformer"
    """MMSegmentation's registry name of the backbone."""
    in_channels: PositiveInt = 3
    """Channels of the input image."""
    embed_dims: PositiveInt = 64
    """Base embedding width: stage i has embed_dims * num_heads[i] channels (MiT-b0: 32; b1-b5: 64)."""
    num_stages: PositiveInt = 4
    """Number of stages."""
    num_layers: Seq[PositiveInt] = (3, 4, 6, 3)
    """Transformer layers of each stage (MiT-b0: (2, 2, 2, 2); b2: (3, 4, 6, 3); b5: (3, 6, 40, 3))."""
    num_heads: Seq[PositiveInt] = (1, 2, 4, 8)
    """Attention heads of each stage (SegFormer's configs: (1, 2, 5, 8))."""
    patch_sizes: Seq[PositiveInt] = (7, 3, 3, 3)
    """Kernel of each stage's overlapping patch embedding."""
    strides: Seq[PositiveInt] = (4, 2, 2, 2)
    """Stride of each stage's patch embedding."""
    sr_ratios: Seq[PositiveInt] = (8, 4, 2, 1)
    """Spatial reduction of keys/values in each stage's attention."""
    out_indices: Seq[int] = (0, 1, 2, 3)
    """Stages whose feature maps are returned, increasing."""
    mlp_ratio: PositiveInt = 4
    """Hidden width of the feed-forward layers over the embedding width."""
    qkv_bias: bool = True
    """Learn a bias for queries, keys and values."""
    drop_rate: DropRate = 0.0
    """Dropout probability after attention projections and in feed-forward layers."""
    attn_drop_rate: DropRate = 0.0
    """Dropout probability of the attention weights."""
    drop_path_rate: DropRate = 0.0
    """Stochastic depth: rises linearly from 0 to this over all layers."""
    act_cfg: ActConfig = default(GELU)
    """Activation of the feed-forward layers."""
    norm_cfg: NormConfig = default(LN, eps=1e-6)
    """Normalization layer config."""
    pretrained: str | None = None
    """Deprecated: a checkpoint to load (MMSegmentation turns it into a Pretrained init_cfg)."""
    init_cfg: InitConfig | None = None
    """Weight initialization; None: truncated normal for linear layers, as SegFormer's."""
    with_cp: bool = False
    """Gradient checkpointing: less memory, slower training."""

    def stage_channels(self) -> tuple[int, ...]:
        """Output channels of every stage: embed_dims * num_heads[i]."""
        return tuple(self.embed_dims * heads for heads in self.num_heads)

    def out_channels(self) -> tuple[int, ...] | None:
        stages = self.stage_channels()
        return tuple(stages[i] for i in sorted(set(self.out_indices)) if 0 <= i < len(stages))

    def describe(self) -> str:
        return f"MixVisionTransformer (embed_dims={self.embed_dims}, num_heads={list(self.num_heads)})"

    @model_validator(mode="after")
    def _check(self) -> "MixVisionTransformer":
        rules = Rules()
        n = self.num_stages
        for field in ("num_layers", "num_heads", "patch_sizes", "strides", "sr_ratios"):
            _check_length(rules, field, getattr(self, field), n, "num_stages")
        _check_out_indices(rules, self.out_indices, n, "out_indices")
        _check_pretrained(rules, self.pretrained, self.init_cfg)
        rules.raise_if_any()
        return self
