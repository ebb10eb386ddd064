"""MMSegmentation's MixVisionTransformer (SegFormer's MiT encoder): overlapping patch embeddings, efficient
self-attention with spatially reduced keys/values, and Mix-FFNs, with MMSeg's module names."""

import math

import torch.utils.checkpoint
from torch import Tensor, nn

from typedseg.config.models.backbones import MixVisionTransformer
from typedseg.config.models.common import PretrainedInit
from typedseg.config.models.common._tagged import _ActConfigUnion, _NormConfigUnion
from typedseg.models.init import BaseModule, constant_init
from typedseg.models.layers import DropPath, build_activation, build_norm, nchw_to_nlc, nlc_to_nchw


class PatchEmbed(BaseModule):
    """A strided conv `projection` to tokens, then a norm."""

    def __init__(
        self, in_channels: int, embed_dims: int, kernel: int, stride: int, norm_cfg: _NormConfigUnion
    ) -> None:
        super().__init__()
        self.projection = nn.Conv2d(in_channels, embed_dims, kernel, stride, kernel // 2)
        self.norm = build_norm(norm_cfg, embed_dims)

    def forward(self, x: Tensor) -> tuple[Tensor, tuple[int, int]]:
        x = self.projection(x)
        hw = (int(x.shape[2]), int(x.shape[3]))
        return self.norm(nchw_to_nlc(x)), hw


class MixFFN(BaseModule):
    """1x1 conv, depthwise 3x3 conv, activation, 1x1 conv on the token map (`layers` 0, 1, 4)."""

    def __init__(
        self, dims: int, hidden: int, act_cfg: _ActConfigUnion, drop: float, drop_path: float
    ) -> None:
        super().__init__()
        dropout = nn.Dropout(drop)
        self.layers = nn.Sequential(
            nn.Conv2d(dims, hidden, 1),
            nn.Conv2d(hidden, hidden, 3, 1, 1, groups=hidden),
            build_activation(act_cfg),
            dropout,
            nn.Conv2d(hidden, dims, 1),
            dropout,
        )
        self.dropout_layer = DropPath(drop_path)

    def forward(self, x: Tensor, hw: tuple[int, int], identity: Tensor) -> Tensor:
        out = nchw_to_nlc(self.layers(nlc_to_nchw(x, hw)))
        return identity + self.dropout_layer(out)  # type: ignore[no-any-return]


class EfficientMultiheadAttention(BaseModule):
    """Multi-head attention whose keys/values come from a map reduced by an sr_ratio-strided conv (`sr`, `norm`)."""

    def __init__(
        self,
        dims: int,
        heads: int,
        attn_drop: float,
        proj_drop: float,
        drop_path: float,
        qkv_bias: bool,
        norm_cfg: _NormConfigUnion,
        sr_ratio: int,
    ) -> None:
        super().__init__()
        self.attn = nn.MultiheadAttention(dims, heads, dropout=attn_drop, bias=qkv_bias)
        self.proj_drop = nn.Dropout(proj_drop)
        self.dropout_layer = DropPath(drop_path)
        self.sr_ratio = sr_ratio
        if sr_ratio > 1:
            self.sr = nn.Conv2d(dims, dims, sr_ratio, sr_ratio)
            self.norm = build_norm(norm_cfg, dims)

    def forward(self, x: Tensor, hw: tuple[int, int], identity: Tensor) -> Tensor:
        kv = self.norm(nchw_to_nlc(self.sr(nlc_to_nchw(x, hw)))) if self.sr_ratio > 1 else x
        out = self.attn(query=x.transpose(0, 1), key=kv.transpose(0, 1), value=kv.transpose(0, 1))[0]
        return identity + self.dropout_layer(self.proj_drop(out.transpose(0, 1)))  # type: ignore[no-any-return]


class TransformerEncoderLayer(BaseModule):
    """norm1 -> attention (+ residual), norm2 -> Mix-FFN (+ residual)."""

    def __init__(self, cfg: MixVisionTransformer, stage: int, drop_path: float) -> None:
        super().__init__()
        dims = cfg.embed_dims * cfg.num_heads[stage]
        self.norm1 = build_norm(cfg.norm_cfg, dims)
        self.attn = EfficientMultiheadAttention(
            dims,
            cfg.num_heads[stage],
            cfg.attn_drop_rate,
            cfg.drop_rate,
            drop_path,
            cfg.qkv_bias,
            cfg.norm_cfg,
            cfg.sr_ratios[stage],
        )
        self.norm2 = build_norm(cfg.norm_cfg, dims)
        self.ffn = MixFFN(dims, cfg.mlp_ratio * dims, cfg.act_cfg, cfg.drop_rate, drop_path)
        self.with_cp = cfg.with_cp

    def forward(self, x: Tensor, hw: tuple[int, int]) -> Tensor:
        def inner(x: Tensor) -> Tensor:
            x = self.attn(self.norm1(x), hw, identity=x)
            return self.ffn(self.norm2(x), hw, identity=x)  # type: ignore[no-any-return]

        if self.with_cp and x.requires_grad:
            return torch.utils.checkpoint.checkpoint(inner, x, use_reentrant=False)  # type: ignore[no-any-return]
        return inner(x)


class MixVisionTransformerBackbone(BaseModule):
    """MiT: `layers[i]` = [patch embedding, transformer layers, norm] for each stage."""

    def __init__(self, cfg: MixVisionTransformer) -> None:
        super().__init__()
        init = PretrainedInit(checkpoint=cfg.pretrained) if cfg.pretrained is not None else cfg.init_cfg
        self.set_init_cfg(init)
        self.out_indices = tuple(cfg.out_indices)
        total = sum(cfg.num_layers)
        rates = [cfg.drop_path_rate * i / (total - 1) if total > 1 else 0.0 for i in range(total)]
        self.layers = nn.ModuleList()
        in_channels, cur = cfg.in_channels, 0
        for i, count in enumerate(cfg.num_layers):
            dims = cfg.embed_dims * cfg.num_heads[i]
            embed = PatchEmbed(in_channels, dims, cfg.patch_sizes[i], cfg.strides[i], cfg.norm_cfg)
            blocks = nn.ModuleList(TransformerEncoderLayer(cfg, i, rates[cur + k]) for k in range(count))
            self.layers.append(nn.ModuleList([embed, blocks, build_norm(cfg.norm_cfg, dims)]))
            in_channels, cur = dims, cur + count

    def init_weights(self) -> None:
        """Without an init_cfg, SegFormer's own: truncated normal for Linear, 1/0 for LayerNorm, normal
        (fan_out) for convs; with one, MMEngine's init_cfg."""
        if self.init_cfg:
            super().init_weights()
            return
        for m in self.modules():
            if isinstance(m, nn.Linear):
                nn.init.trunc_normal_(m.weight, 0.0, 0.02)
                if m.bias is not None:
                    nn.init.constant_(m.bias, 0.0)
            elif isinstance(m, nn.LayerNorm):
                constant_init(m, 1.0, 0.0)
            elif isinstance(m, nn.Conv2d):
                fan_out = m.kernel_size[0] * m.kernel_size[1] * m.out_channels // m.groups
                nn.init.normal_(m.weight, 0.0, math.sqrt(2.0 / fan_out))
                if m.bias is not None:
                    nn.init.constant_(m.bias, 0.0)

    def forward(self, x: Tensor) -> list[Tensor]:
        outs: list[Tensor] = []
        for i, stage in enumerate(self.layers):
            assert isinstance(stage, nn.ModuleList)
            embed, blocks, norm = stage[0], stage[1], stage[2]
            assert isinstance(blocks, nn.ModuleList)
            x, hw = embed(x)
            for block in blocks:
                x = block(x, hw)
            x = nlc_to_nchw(norm(x), hw)
            if i in self.out_indices:
                outs.append(x)
        return outs
