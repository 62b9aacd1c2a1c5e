"""PyTorch eager reference of keras-gan-zoo's default networks and training steps.

Used by ``benchmarks/throughput.py`` and ``benchmarks/emoji_ladder.py`` to time
the same work in PyTorch: the same layers, filters, kernel sizes, strides,
optimisers, losses and updates per step as
``kgz.GAN.for_shape((28, 28, 1))``, ``kgz.WGANGP.for_shape``,
``kgz.ConditionalGAN.for_shape``, ``kgz.CycleGAN.for_shape((32, 32, 1))`` and the
own-images recipe (ResNet networks with spectral norm, hinge loss, DiffAugment,
EMA) at 64 px, and the models of the emoji quality ladder
(``benchmarks/emoji_ladder.py``'s ``MODELS``: DCGAN, WGAN-GP, SNGAN, SAGAN,
BigGAN, StyleGAN2 at 64x64x3; ``LADDER`` holds their steps by the ladder's
names), written the way the PyTorch DCGAN example writes them (channels first,
``zero_grad`` / ``backward`` / ``step``). Nothing here is part of the package.

    python benchmarks/torch_reference.py                  # images/second of each step
    python benchmarks/torch_reference.py sngan stylegan2  # of some
"""

import contextlib
import functools
import math
import sys
import time

import torch
from torch import nn
from torch.nn import functional as F

LATENT = 64


def _num_upsamplings(size):
    """Stride-2 stages from a >= 4 pixel seed to ``size`` (kgz's ``_num_upsamplings``)."""
    k = 0
    while k < 4 and size % 2 ** (k + 1) == 0 and size // 2 ** (k + 1) >= 4:
        k += 1
    return k


def dcgan_generator(latent=LATENT, channels=1, base=64, size=28):
    """kgz's ``dcgan_generator``: dense to the seed (7x7x128 at 28 px, 4x4x512 at 64 px), BN
    ReLU, transposed convolutions 4x4 (s2) halving the filters with BN ReLU, then one to
    ``channels`` and tanh."""
    k = _num_upsamplings(size)
    seed, filters = size // 2 ** k, base * 2 ** max(k - 1, 0)
    layers = [nn.Linear(latent, seed * seed * filters, bias=False),
              nn.BatchNorm1d(seed * seed * filters), nn.ReLU(),
              nn.Unflatten(1, (filters, seed, seed))]
    for _ in range(k - 1):
        layers += [nn.ConvTranspose2d(filters, filters // 2, 4, 2, 1, bias=False),
                   nn.BatchNorm2d(filters // 2), nn.ReLU()]
        filters //= 2
    return nn.Sequential(*layers, nn.ConvTranspose2d(filters, channels, 4, 2, 1), nn.Tanh())


def dcgan_body(channels=1, base=64, size=28):
    """Conv 4x4 (s2) LReLU, doubling the filters from ``base``, down to the generator's
    seed, then flatten: 28x28 -> 6272 features, 64x64 -> 8192."""
    layers, cin, filters = [], channels, base
    for _ in range(max(_num_upsamplings(size), 1)):
        layers += [nn.Conv2d(cin, filters, 4, 2, 1), nn.LeakyReLU(0.2)]
        cin, filters = filters, 2 * filters
    return nn.Sequential(*layers, nn.Flatten())


def _dcgan_features(base=64, size=28):
    k = max(_num_upsamplings(size), 1)
    return (size // 2 ** k) ** 2 * base * 2 ** (k - 1)


def dcgan_discriminator(channels=1, base=64, size=28):
    return nn.Sequential(dcgan_body(channels, base, size),
                         nn.Linear(_dcgan_features(base, size), 1))


class ConditionalGenerator(nn.Module):
    def __init__(self, num_classes=10):
        super().__init__()
        self.num_classes = num_classes
        self.body = dcgan_generator(LATENT + num_classes)

    def forward(self, z, label):
        return self.body(torch.cat([z, F.one_hot(label, self.num_classes).float()], 1))


class ProjectionDiscriminator(nn.Module):
    def __init__(self, num_classes=10, base=64):
        super().__init__()
        self.body = dcgan_body(1, base)
        self.linear = nn.Linear(7 * 7 * 2 * base, 1)
        self.embed = nn.Embedding(num_classes, 7 * 7 * 2 * base)

    def forward(self, x, label):
        phi = self.body(x)
        return self.linear(phi) + (self.embed(label) * phi).sum(1, keepdim=True)


def _norm(c):
    return nn.GroupNorm(c, c, eps=1e-5)  # instance normalisation with an affine, as the Keras one


class ResnetGenerator(nn.Module):
    """The CycleGAN ResNet generator of kgz.networks.resnet_translator (32 filters, 6 blocks)."""

    def __init__(self, channels=1, base=32, blocks=6):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(channels, base, 7, 1, 3, bias=False), _norm(base), nn.ReLU(),
                                  nn.Conv2d(base, 2 * base, 3, 2, 1, bias=False), _norm(2 * base), nn.ReLU(),
                                  nn.Conv2d(2 * base, 4 * base, 3, 2, 1, bias=False), _norm(4 * base), nn.ReLU())
        self.blocks = nn.ModuleList(
            nn.Sequential(nn.Conv2d(4 * base, 4 * base, 3, 1, 1, bias=False), _norm(4 * base), nn.ReLU(),
                          nn.Conv2d(4 * base, 4 * base, 3, 1, 1, bias=False), _norm(4 * base))
            for _ in range(blocks))
        self.head = nn.Sequential(
            nn.ConvTranspose2d(4 * base, 2 * base, 3, 2, 1, output_padding=1, bias=False), _norm(2 * base), nn.ReLU(),
            nn.ConvTranspose2d(2 * base, base, 3, 2, 1, output_padding=1, bias=False), _norm(base), nn.ReLU(),
            nn.Conv2d(base, channels, 7, 1, 3), nn.Tanh())

    def forward(self, x):
        x = self.stem(x)
        for block in self.blocks:
            x = x + block(x)
        return self.head(x)


def patch_discriminator(channels=1, base=32):
    # Keras "same" padding for a 4x4 kernel pads 1 before and 2 after at stride 1.
    return nn.Sequential(
        nn.Conv2d(channels, base, 4, 2, 1), nn.LeakyReLU(0.2),
        nn.Conv2d(base, 2 * base, 4, 2, 1, bias=False), _norm(2 * base), nn.LeakyReLU(0.2),
        nn.Conv2d(2 * base, 4 * base, 4, 2, 1, bias=False), _norm(4 * base), nn.LeakyReLU(0.2),
        nn.ZeroPad2d((1, 2, 1, 2)), nn.Conv2d(4 * base, 8 * base, 4, 1, 0, bias=False), _norm(8 * base),
        nn.LeakyReLU(0.2),
        nn.ZeroPad2d((1, 2, 1, 2)), nn.Conv2d(8 * base, 1, 4, 1, 0))


# ------------------------------ ResNets with spectral norm (recipe, SNGAN, SAGAN, BigGAN)
def _width(base, size, resolution):
    return base * min(size // resolution, 8)


def _sn(module, on=True):
    """``module`` spectrally normalised (one power iteration per training call, ``u`` and
    ``v`` held constant in the gradient, ``sigma`` not), as kgz's ``SpectralConv2D`` and
    ``SpectralDense``."""
    return nn.utils.parametrizations.spectral_norm(module) if on else module


class SelfAttention(nn.Module):
    """kgz's ``SelfAttention`` (SAGAN; BigGAN's code): 1x1 queries and keys of C/8, values of
    C/2, keys and values max-pooled 2x2, ``x + gamma * out(attended)``, ``gamma`` from 0."""

    def __init__(self, channels, sn=True):
        super().__init__()
        conv = lambda cin, cout: _sn(nn.Conv2d(cin, cout, 1, bias=False), sn)  # noqa: E731
        self.query, self.key = conv(channels, channels // 8), conv(channels, channels // 8)
        self.value, self.out = conv(channels, channels // 2), conv(channels // 2, channels)
        self.gamma = nn.Parameter(torch.zeros(()))

    def forward(self, x):
        n, c, h, w = x.shape
        q = self.query(x).flatten(2)                                  # (n, c/8, hw)
        k = F.max_pool2d(self.key(x), 2).flatten(2)                   # (n, c/8, hw/4)
        v = F.max_pool2d(self.value(x), 2).flatten(2)                 # (n, c/2, hw/4)
        attention = torch.softmax(torch.bmm(q.transpose(1, 2), k), -1)  # (n, hw, hw/4)
        o = torch.bmm(v, attention.transpose(1, 2)).view(n, c // 2, h, w)
        return x + self.gamma * self.out(o)


class UpBlock(nn.Module):
    """BN ReLU, upsample, conv3, BN ReLU, conv3; shortcut: upsample, conv1 (kgz's ``up_block``;
    ``sn``: its convolutions spectrally normalised, as SAGAN's generator)."""

    def __init__(self, cin, cout, sn=False):
        super().__init__()
        self.bn1, self.bn2 = nn.BatchNorm2d(cin), nn.BatchNorm2d(cout)
        self.conv1 = _sn(nn.Conv2d(cin, cout, 3, 1, 1), sn)
        self.conv2 = _sn(nn.Conv2d(cout, cout, 3, 1, 1), sn)
        self.shortcut = _sn(nn.Conv2d(cin, cout, 1), sn)

    def forward(self, x):
        h = F.interpolate(F.relu(self.bn1(x)), scale_factor=2, mode="nearest")
        h = self.conv2(F.relu(self.bn2(self.conv1(h))))
        return h + self.shortcut(F.interpolate(x, scale_factor=2, mode="nearest"))


class ResnetGANGenerator(nn.Module):
    """kgz's ``sngan_generator``: dense to 4x4, up blocks to ``size``, BN ReLU conv3 tanh.

    ``sn`` and ``attention`` make it ``sagan_generator``: every dense and convolution
    spectrally normalised, a ``SelfAttention`` block after the block that ends at
    ``attention`` pixels.
    """

    def __init__(self, size=64, channels=3, base=16, latent=LATENT, sn=False, attention=None):
        super().__init__()
        self.seed, self.filters = 4, _width(base, size, 4)
        self.project = _sn(nn.Linear(latent, 16 * self.filters), sn)
        blocks, cin, resolution = [], self.filters, 4
        while resolution < size:
            resolution *= 2
            blocks.append(UpBlock(cin, _width(base, size, resolution), sn))
            cin = _width(base, size, resolution)
            if resolution == attention:
                blocks.append(SelfAttention(cin, sn))
        self.blocks = nn.Sequential(*blocks)
        self.out_bn, self.to_image = nn.BatchNorm2d(cin), _sn(nn.Conv2d(cin, channels, 3, 1, 1), sn)

    def forward(self, z):
        x = self.project(z).view(-1, self.filters, self.seed, self.seed)
        return torch.tanh(self.to_image(F.relu(self.out_bn(self.blocks(x)))))


class DownBlock(nn.Module):
    """(ReLU) conv3 ReLU conv3, avg-pool; shortcut conv1 + pool (SNGAN's; kgz's ``_down_block``)."""

    def __init__(self, cin, cout, first):
        super().__init__()
        sn = nn.utils.parametrizations.spectral_norm
        self.first = first
        self.conv1, self.conv2 = sn(nn.Conv2d(cin, cout, 3, 1, 1)), sn(nn.Conv2d(cout, cout, 3, 1, 1))
        self.shortcut = sn(nn.Conv2d(cin, cout, 1))

    def forward(self, x):
        h = self.conv2(F.relu(self.conv1(x if self.first else F.relu(x))))
        h = F.avg_pool2d(h, 2)
        return h + F.avg_pool2d(self.shortcut(x), 2)  # project, then pool, as kgz's blocks


class ResnetGANDiscriminator(nn.Module):
    """kgz's ``sngan_discriminator``: spectrally normalised down blocks, ReLU, sum, SN dense.

    ``attention``: a spectrally normalised ``SelfAttention`` block after the block that
    ends at that resolution (SAGAN, BigGAN); ``features_only``: the summed features
    (BigGAN's projection head reads them).
    """

    def __init__(self, size=64, channels=3, base=16, attention=None, features_only=False):
        super().__init__()
        blocks, cin, resolution = [], channels, size
        while resolution > 4:
            resolution //= 2
            blocks.append(DownBlock(cin, _width(base, size, resolution), first=not blocks))
            cin = _width(base, size, resolution)
            if resolution == attention:
                blocks.append(SelfAttention(cin, sn=True))
        self.blocks = nn.Sequential(*blocks)
        self.features = cin
        self.logit = None if features_only else _sn(nn.Linear(cin, 1))

    def forward(self, x):
        phi = F.relu(self.blocks(x)).sum((2, 3))
        return phi if self.logit is None else self.logit(phi)


def diffaugment(x):
    """DiffAugment ``color,translation,cutout`` (Zhao et al. 2020), as ``kgz.augment.diffaugment``."""
    n, _, h, w = x.shape
    x = x + (torch.rand(n, 1, 1, 1) - 0.5)
    mean = x.mean(1, keepdim=True)
    x = (x - mean) * (torch.rand(n, 1, 1, 1) * 2) + mean
    mean = x.mean((1, 2, 3), keepdim=True)
    x = (x - mean) * (torch.rand(n, 1, 1, 1) + 0.5) + mean
    # translation by up to 1/8 of the side, zeros shifted in
    sy, sx = int(h * 0.125 + 0.5), int(w * 0.125 + 0.5)
    ty = torch.randint(-sy, sy + 1, (n, 1, 1))
    tx = torch.randint(-sx, sx + 1, (n, 1, 1))
    gy, gx = torch.meshgrid(torch.arange(h), torch.arange(w), indexing="ij")
    gy = torch.clamp(gy[None] + ty + 1, 0, h + 1)
    gx = torch.clamp(gx[None] + tx + 1, 0, w + 1)
    padded = F.pad(x, (1, 1, 1, 1))
    x = padded.permute(0, 2, 3, 1)[torch.arange(n)[:, None, None], gy, gx].permute(0, 3, 1, 2)
    # cutout: a square of half the side, anywhere
    ch, cw = int(h * 0.5 + 0.5), int(w * 0.5 + 0.5)
    cy = torch.randint(0, h + (1 - ch % 2), (n, 1, 1)) - ch // 2
    cx = torch.randint(0, w + (1 - cw % 2), (n, 1, 1)) - cw // 2
    gy, gx = torch.meshgrid(torch.arange(h), torch.arange(w), indexing="ij")
    inside = (gy[None] >= cy) & (gy[None] < cy + ch) & (gx[None] >= cx) & (gx[None] < cx + cw)
    return x * (~inside).unsqueeze(1).to(x.dtype)


# ------------------------------------------------------------------ BigGAN
def _orthogonal(module):
    """Orthogonal initial weights (BigGAN's), on the raw weight under spectral norm."""
    weight = module.parametrizations.weight.original if hasattr(module, "parametrizations") \
        else module.weight
    nn.init.orthogonal_(weight)
    return module


class ConditionalBatchNorm(nn.Module):
    """kgz's ``ClassConditionalBatchNorm``: BN without an affine of its own (eps 1e-4), times
    ``1 + gain(c)`` plus ``bias(c)``, ``gain`` and ``bias`` spectrally normalised linear maps of
    the condition (shared class embedding and the block's chunk of z)."""

    def __init__(self, channels, condition):
        super().__init__()
        self.norm = nn.BatchNorm2d(channels, eps=1e-4, affine=False)
        self.gain = _orthogonal(_sn(nn.Linear(condition, channels)))
        self.bias = _orthogonal(_sn(nn.Linear(condition, channels)))

    def forward(self, x, c):
        return self.norm(x) * (1 + self.gain(c))[:, :, None, None] + self.bias(c)[:, :, None, None]


class BigGANUpBlock(nn.Module):
    """kgz's BigGAN ``_up_block``: CBN ReLU, upsample, SN conv3, CBN ReLU, SN conv3; shortcut:
    upsample, SN conv1 (orthogonal weights)."""

    def __init__(self, cin, cout, condition):
        super().__init__()
        self.cbn1 = ConditionalBatchNorm(cin, condition)
        self.cbn2 = ConditionalBatchNorm(cout, condition)
        self.conv1 = _orthogonal(_sn(nn.Conv2d(cin, cout, 3, 1, 1)))
        self.conv2 = _orthogonal(_sn(nn.Conv2d(cout, cout, 3, 1, 1)))
        self.shortcut = _orthogonal(_sn(nn.Conv2d(cin, cout, 1)))

    def forward(self, x, c):
        h = F.interpolate(F.relu(self.cbn1(x, c)), scale_factor=2, mode="nearest")
        h = self.conv2(F.relu(self.cbn2(self.conv1(h), c)))
        return h + self.shortcut(F.interpolate(x, scale_factor=2, mode="nearest"))


class BigGANGenerator(nn.Module):
    """kgz's ``biggan_generator``: hierarchical z (one chunk of 20 for the seed and one per
    block), a shared class embedding (128) concatenated with each block's chunk conditions
    its batch norms, SN everywhere but the embedding, self-attention after the block that ends
    at ``attention``, BN (eps 1e-4) ReLU SN conv3 tanh. ``regularised``: the raw weights the
    orthogonal regularisation reads (every SN layer's)."""

    def __init__(self, num_classes, size=64, channels=3, base=16, chunk=20, shared=128,
                 attention=32):
        super().__init__()
        self.seed, self.filters = 4, _width(base, size, 4)
        resolutions = [4 * 2 ** (i + 1) for i in range(int(math.log2(size // 4)))]  # 8 .. size
        self.chunk = chunk
        self.shared = nn.Embedding(num_classes, shared)
        nn.init.orthogonal_(self.shared.weight)
        self.project = _orthogonal(_sn(nn.Linear(chunk, 16 * self.filters)))
        self.blocks, self.attention, cin = nn.ModuleList(), nn.ModuleDict(), self.filters
        for i, resolution in enumerate(resolutions):
            self.blocks.append(BigGANUpBlock(cin, _width(base, size, resolution), shared + chunk))
            cin = _width(base, size, resolution)
            if resolution == attention:
                self.attention[str(i)] = SelfAttention(cin, sn=True)
                for conv in (self.attention[str(i)].query, self.attention[str(i)].key,
                             self.attention[str(i)].value, self.attention[str(i)].out):
                    _orthogonal(conv)
        self.out_bn = nn.BatchNorm2d(cin, eps=1e-4)
        self.to_image = _orthogonal(_sn(nn.Conv2d(cin, channels, 3, 1, 1)))
        self.latent = chunk * (len(resolutions) + 1)
        self.regularised = [p for name, p in self.named_parameters()
                            if name.endswith("parametrizations.weight.original")]

    def forward(self, z, label):
        chunks = z.split(self.chunk, 1)
        shared = self.shared(label)
        x = self.project(chunks[0]).view(-1, self.filters, self.seed, self.seed)
        for i, block in enumerate(self.blocks):
            x = block(x, torch.cat([shared, chunks[i + 1]], 1))
            if str(i) in self.attention:
                x = self.attention[str(i)](x)
        return torch.tanh(self.to_image(F.relu(self.out_bn(x))))


class BigGANDiscriminator(nn.Module):
    """kgz's ``biggan_discriminator``: the SNGAN ResNet body with self-attention,
    ``logit = w . phi(x) + e(y) . phi(x)``, ``e`` a spectrally normalised bias-free dense layer
    on the one-hot label (a normalised class embedding)."""

    def __init__(self, num_classes, size=64, channels=3, base=16, attention=32):
        super().__init__()
        self.num_classes = num_classes
        self.body = ResnetGANDiscriminator(size, channels, base, attention, features_only=True)
        self.embed = _sn(nn.Linear(num_classes, self.body.features, bias=False))
        self.linear = _sn(nn.Linear(self.body.features, 1))

    def forward(self, x, label):
        phi = self.body(x)
        embedded = self.embed(F.one_hot(label, self.num_classes).float())
        return self.linear(phi) + (embedded * phi).sum(1, keepdim=True)


def orthogonal_penalty(weights, beta=1e-4):
    """BigGAN's orthogonal regularisation ``beta * sum ||W W^T * (1 - I)||_F^2`` (kgz's
    ``OrthogonalRegularizer``: ``W`` one row per output unit)."""
    total = 0.0
    for w in weights:
        w = w.flatten(1)
        gram = w @ w.t()
        total = total + (gram * (1 - torch.eye(gram.shape[0]))).square().sum()
    return beta * total


# --------------------------------------------------------------- StyleGAN2
# As StyleGAN2-ADA's PyTorch code (NVlabs/stylegan2-ada-pytorch, training/networks.py) computes
# them on its reference path (no custom CUDA ops: bias_act, upfirdn2d and fma as plain torch),
# with fused_modconv=False (the path it trains with), and with kgz's choices where kgz computes
# another function: bilinear 2x upsampling (torch's, half-pixel centres, as TensorFlow's resize)
# instead of a transposed convolution with a [1, 3, 3, 1] FIR filter; a 2x2 average after the
# discriminator's stride-1 convolution instead of a FIR filter before a stride-2 one; no bias in
# to_rgb; per-example style-mixing cut-offs; minibatch std groups of consecutive examples.
SQRT2 = math.sqrt(2.0)


def _bias_act(x, b=None, act="linear", gain=1.0):
    """``bias_act``'s reference path: ``x + b`` (along dim 1), leaky ReLU (0.2) with the gain
    sqrt(2) for ``"lrelu"``, times ``gain``."""
    if b is not None:
        x = x + b.reshape([1, -1] + [1] * (x.ndim - 2))
    if act == "lrelu":
        x = F.leaky_relu(x, 0.2) * (SQRT2 * gain)
    elif gain != 1:
        x = x * gain
    return x


def _normalize_2nd_moment(x, eps=1e-8):
    return x * (x.square().mean(dim=1, keepdim=True) + eps).rsqrt()


class FullyConnectedLayer(nn.Module):
    """Equalised-learning-rate dense layer (kgz's ``EqualDense``; the official one)."""

    def __init__(self, cin, cout, bias=True, activation="linear", lr_mul=1.0, bias_init=0.0):
        super().__init__()
        self.activation = activation
        self.weight = nn.Parameter(torch.randn(cout, cin) / lr_mul)
        self.bias = nn.Parameter(torch.full([cout], float(bias_init))) if bias else None
        self.weight_gain, self.bias_gain = lr_mul / math.sqrt(cin), lr_mul

    def forward(self, x):
        w = self.weight * self.weight_gain
        b = None if self.bias is None else self.bias * self.bias_gain
        if self.activation == "linear" and b is not None:
            return torch.addmm(b.unsqueeze(0), x, w.t())
        return _bias_act(x.matmul(w.t()), b, self.activation)


class MappingNetwork(nn.Module):
    """z normalised to unit second moment, 8 dense layers (leaky ReLU, learning rate x 0.01);
    ``w_avg`` the moving average of w that truncation moves toward."""

    def __init__(self, z_dim=256, w_dim=256, num_layers=8, w_avg_beta=0.995):
        super().__init__()
        self.layers = nn.ModuleList(
            FullyConnectedLayer(z_dim if i == 0 else w_dim, w_dim, activation="lrelu", lr_mul=0.01)
            for i in range(num_layers))
        self.w_avg_beta = w_avg_beta
        self.register_buffer("w_avg", torch.zeros(w_dim))

    def forward(self, z, update_w_avg=False):
        x = _normalize_2nd_moment(z)
        for layer in self.layers:
            x = layer(x)
        if update_w_avg:
            self.w_avg.copy_(x.detach().mean(dim=0).lerp(self.w_avg, self.w_avg_beta))
        return x


def modulated_conv2d(x, weight, styles, noise=None, up=False, demodulate=True):
    """The official ``modulated_conv2d`` with ``fused_modconv=False``: scale the input channels
    by the styles, one convolution shared by the batch, scale the output channels by the
    demodulation coefficients (and add the noise, ``fma``); ``up`` upsamples 2x (bilinear)
    before the convolution, as kgz's ``ModulatedConv2D``."""
    n = x.shape[0]
    if demodulate:
        w = weight.unsqueeze(0) * styles.reshape(n, 1, -1, 1, 1)       # [NOIkk]
        dcoefs = (w.square().sum(dim=[2, 3, 4]) + 1e-8).rsqrt()         # [NO]
    x = x * styles.reshape(n, -1, 1, 1)
    if up:
        x = F.interpolate(x, scale_factor=2, mode="bilinear", align_corners=False)
    x = F.conv2d(x, weight, padding=weight.shape[-1] // 2)
    if demodulate and noise is not None:
        return torch.addcmul(noise, x, dcoefs.reshape(n, -1, 1, 1))
    if demodulate:
        return x * dcoefs.reshape(n, -1, 1, 1)
    return x if noise is None else x + noise


class SynthesisLayer(nn.Module):
    """A modulated 3x3 convolution (kgz's ``ModulatedConv2D``) with per-pixel noise times a
    learned strength, a bias and leaky ReLU (``NoiseInjection``); the style's affine starts at 1."""

    def __init__(self, cin, cout, w_dim, resolution, up=False):
        super().__init__()
        self.up, self.resolution = up, resolution
        self.affine = FullyConnectedLayer(w_dim, cin, bias_init=1.0)
        self.weight = nn.Parameter(torch.randn(cout, cin, 3, 3))
        self.noise_strength = nn.Parameter(torch.zeros([]))
        self.bias = nn.Parameter(torch.zeros(cout))

    def forward(self, x, w):
        noise = torch.randn(x.shape[0], 1, self.resolution, self.resolution) * self.noise_strength
        x = modulated_conv2d(x, self.weight, self.affine(w), noise=noise, up=self.up)
        return _bias_act(x, self.bias, "lrelu")


class ToRGBLayer(nn.Module):
    """A modulated 1x1 convolution without demodulation, the style scaled by 1/sqrt(fan_in)
    (kgz's ``to_rgb``: no bias, where the official layer has one)."""

    def __init__(self, cin, cout, w_dim):
        super().__init__()
        self.affine = FullyConnectedLayer(w_dim, cin, bias_init=1.0)
        self.weight = nn.Parameter(torch.randn(cout, cin, 1, 1))
        self.weight_gain = 1 / math.sqrt(cin)

    def forward(self, x, w):
        return modulated_conv2d(x, self.weight, self.affine(w) * self.weight_gain, demodulate=False)


class SynthesisBlock(nn.Module):
    """One resolution of the skip generator: (the 4x4 constant or an upsampling modulated
    convolution), a modulated convolution, to_rgb added to the upsampled image."""

    def __init__(self, cin, cout, w_dim, resolution, channels):
        super().__init__()
        self.first = resolution == 4
        if self.first:
            self.const = nn.Parameter(torch.randn(cout, 4, 4))
        else:
            self.conv0 = SynthesisLayer(cin, cout, w_dim, resolution, up=True)
        self.conv1 = SynthesisLayer(cout, cout, w_dim, resolution)
        self.torgb = ToRGBLayer(cout, channels, w_dim)
        self.num_conv = 1 if self.first else 2

    def forward(self, x, img, ws):
        w = iter(ws.unbind(1))
        if self.first:
            x = self.const.unsqueeze(0).repeat(ws.shape[0], 1, 1, 1)
        else:
            x = self.conv0(x, next(w))
        x = self.conv1(x, next(w))
        y = self.torgb(x, next(w))
        img = y if img is None else F.interpolate(img, scale_factor=2, mode="bilinear",
                                                  align_corners=False) + y
        return x, img


class SynthesisNetwork(nn.Module):
    """kgz's ``_synthesis``: blocks from 4x4 to ``size``, widths ``base * min(size / r, 8)``;
    block j reads its rows of ``ws`` as the official code lays them out (``num_ws`` 10 at 64 px)."""

    def __init__(self, size=64, channels=3, w_dim=256, base=16):
        super().__init__()
        resolutions = [2 ** k for k in range(2, int(math.log2(size)) + 1)]
        self.blocks, cin = nn.ModuleList(), 0
        for r in resolutions:
            self.blocks.append(SynthesisBlock(cin, _width(base, size, r), w_dim, r, channels))
            cin = _width(base, size, r)
        self.num_ws = sum(b.num_conv for b in self.blocks) + 1

    def forward(self, ws):
        x = img = None
        w_idx = 0
        for block in self.blocks:
            x, img = block(x, img, ws.narrow(1, w_idx, block.num_conv + 1))
            w_idx += block.num_conv
        return img


class StyleGAN2Generator(nn.Module):
    """kgz's ``stylegan2_generator`` as training calls it: ``mapping`` and ``synthesis``."""

    def __init__(self, size=64, channels=3, z_dim=256, w_dim=256, mapping_layers=8, base=16):
        super().__init__()
        self.z_dim = z_dim
        self.mapping = MappingNetwork(z_dim, w_dim, mapping_layers)
        self.synthesis = SynthesisNetwork(size, channels, w_dim, base)


class Conv2dLayer(nn.Module):
    """Equalised-learning-rate convolution (kgz's ``EqualConv2D``): ``down`` averages 2x2
    after it (before the bias and activation), as kgz's."""

    def __init__(self, cin, cout, kernel, bias=True, activation="linear", down=False):
        super().__init__()
        self.activation, self.down = activation, down
        self.weight = nn.Parameter(torch.randn(cout, cin, kernel, kernel))
        self.bias = nn.Parameter(torch.zeros(cout)) if bias else None
        self.weight_gain = 1 / math.sqrt(cin * kernel * kernel)

    def forward(self, x, gain=1.0):
        x = F.conv2d(x, self.weight * self.weight_gain, padding=self.weight.shape[-1] // 2)
        if self.down:
            x = F.avg_pool2d(x, 2)
        return _bias_act(x, self.bias, self.activation, gain)


class DiscriminatorBlock(nn.Module):
    """The residual block: conv3, conv3 + pool; pooled 1x1 skip; the sum scaled by 1/sqrt(2)."""

    def __init__(self, cin, cout, channels=None):
        super().__init__()
        self.fromrgb = None if channels is None else Conv2dLayer(channels, cin, 1,
                                                                   activation="lrelu")
        self.conv0 = Conv2dLayer(cin, cin, 3, activation="lrelu")
        self.conv1 = Conv2dLayer(cin, cout, 3, activation="lrelu", down=True)
        self.skip = Conv2dLayer(cin, cout, 1, bias=False, down=True)

    def forward(self, x):
        if self.fromrgb is not None:
            x = self.fromrgb(x)
        y = self.skip(x, gain=math.sqrt(0.5))
        return y.add_(self.conv1(self.conv0(x), gain=math.sqrt(0.5)))


def minibatch_std(x, group_size=4):
    """Minibatch standard deviation (one channel) over groups of consecutive examples, as kgz's
    ``MinibatchStdDev`` (the official code groups every N/G-th example: the same work)."""
    n, c, h, w = x.shape
    g = group_size if n % group_size == 0 else n
    y = x.reshape(-1, g, c, h, w)
    y = (y - y.mean(dim=1, keepdim=True)).square().mean(dim=1)
    y = (y + 1e-8).sqrt().mean(dim=[1, 2, 3])                        # [n / g]
    y = y.repeat_interleave(g).reshape(n, 1, 1, 1).expand(n, 1, h, w)
    return torch.cat([x, y], dim=1)


class StyleGAN2Discriminator(nn.Module):
    """kgz's ``stylegan2_discriminator`` (residual): from_rgb, blocks down to 4x4, minibatch
    std, conv3, dense, logit."""

    def __init__(self, size=64, channels=3, base=16, mbstd_group=4):
        super().__init__()
        resolutions = [2 ** k for k in range(int(math.log2(size)), 2, -1)]
        self.blocks = nn.Sequential(*(
            DiscriminatorBlock(_width(base, size, r), _width(base, size, r // 2),
                               channels if r == size else None) for r in resolutions))
        c4 = _width(base, size, 4)
        self.mbstd_group = mbstd_group
        self.conv = Conv2dLayer(c4 + 1, c4, 3, activation="lrelu")
        self.fc = FullyConnectedLayer(c4 * 16, c4, activation="lrelu")
        self.out = FullyConnectedLayer(c4, 1)

    def forward(self, img):
        x = minibatch_std(self.blocks(img), self.mbstd_group)
        return self.out(self.fc(self.conv(x).flatten(1)))


# ------------------------------------------------------------------ steps
def gan_step(batch_size, mode="eager"):
    """One non-saturating GAN step as kgz.GAN's default (and the PyTorch DCGAN example):
    D on real and detached fakes, then G through the updated D on the same fakes.

    ``mode``: ``"eager"`` (float32, channels first), ``"bf16"`` (what a PyTorch user
    runs for speed on a CPU: ``torch.autocast("cpu", torch.bfloat16)`` with
    ``channels_last`` networks and inputs) or ``"compile"`` (float32,
    ``torch.compile`` of both networks, inductor's CPU backend).
    """
    g, d = dcgan_generator(), dcgan_discriminator()
    g_opt = torch.optim.Adam(g.parameters(), 2e-4, betas=(0.5, 0.999))
    d_opt = torch.optim.Adam(d.parameters(), 2e-4, betas=(0.5, 0.999))
    bce = F.binary_cross_entropy_with_logits
    ones, zeros = torch.ones(batch_size, 1), torch.zeros(batch_size, 1)
    autocast = contextlib.nullcontext
    if mode == "bf16":
        g, d = g.to(memory_format=torch.channels_last), d.to(memory_format=torch.channels_last)
        autocast = functools.partial(torch.autocast, "cpu", dtype=torch.bfloat16)
    elif mode == "compile":
        g, d = torch.compile(g), torch.compile(d)
    elif mode != "eager":
        raise ValueError(f"mode: expected eager, bf16 or compile, got {mode!r}")

    def step(real):
        if mode == "bf16":
            real = real.contiguous(memory_format=torch.channels_last)
        d_opt.zero_grad()
        with autocast():
            fake = g(torch.randn(batch_size, LATENT))
            d_loss = bce(d(real).float(), ones) + bce(d(fake.detach()).float(), zeros)
        d_loss.backward()
        d_opt.step()
        g_opt.zero_grad()
        with autocast():
            g_loss = bce(d(fake).float(), ones)
        g_loss.backward()
        g_opt.step()
    return step, (batch_size, 1, 28, 28)


def wgan_gp_step(batch_size, critic_steps=5, gp_weight=10.0, size=28, channels=1):
    """One WGAN-GP step: 5 critic updates with the gradient penalty, then G, as kgz.WGANGP
    (``size=64, channels=3``: the ladder's ``wgan_gp``, ``kgz.WGANGP.for_shape((64, 64, 3))``)."""
    g = dcgan_generator(LATENT, channels, 64, size)
    d = dcgan_discriminator(channels, 64, size)
    g_opt = torch.optim.Adam(g.parameters(), 1e-4, betas=(0.5, 0.9))
    d_opt = torch.optim.Adam(d.parameters(), 1e-4, betas=(0.5, 0.9))

    def step(real):
        for _ in range(critic_steps):
            d_opt.zero_grad()
            with torch.no_grad():
                fake = g(torch.randn(batch_size, LATENT))
            alpha = torch.rand(batch_size, 1, 1, 1)
            mixed = (alpha * real + (1 - alpha) * fake).requires_grad_(True)
            grad, = torch.autograd.grad(d(mixed).sum(), mixed, create_graph=True)
            norm = torch.sqrt(grad.pow(2).sum((1, 2, 3)) + 1e-10)
            d_loss = d(fake).mean() - d(real).mean() + gp_weight * ((norm - 1) ** 2).mean()
            d_loss.backward()
            d_opt.step()
        g_opt.zero_grad()
        g_loss = -d(g(torch.randn(batch_size, LATENT))).mean()
        g_loss.backward()
        g_opt.step()
    step.networks = {"generator": g, "discriminator": d}
    step.num_classes, step.period = None, 1
    return step, (batch_size, channels, size, size)


def conditional_step(batch_size, num_classes=10):
    """One conditional GAN step (projection discriminator, fakes reused), as kgz.ConditionalGAN."""
    g, d = ConditionalGenerator(num_classes), ProjectionDiscriminator(num_classes)
    g_opt = torch.optim.Adam(g.parameters(), 2e-4, betas=(0.5, 0.999))
    d_opt = torch.optim.Adam(d.parameters(), 2e-4, betas=(0.5, 0.999))
    bce = F.binary_cross_entropy_with_logits
    ones, zeros = torch.ones(batch_size, 1), torch.zeros(batch_size, 1)
    labels = torch.randint(0, num_classes, (batch_size,))

    def step(real):
        d_opt.zero_grad()
        fake = g(torch.randn(batch_size, LATENT), labels)  # fakes of the batch's classes, as kgz
        d_loss = bce(d(real, labels), ones) + bce(d(fake.detach(), labels), zeros)
        d_loss.backward()
        d_opt.step()
        g_opt.zero_grad()
        g_loss = bce(d(fake, labels), ones)
        g_loss.backward()
        g_opt.step()
    return step, (batch_size, 1, 28, 28)


def cyclegan_step(batch_size, cycle_weight=10.0, identity_weight=0.5):
    """One CycleGAN step (LSGAN, cycle 10, identity 5; no image pool), as kgz.CycleGAN."""
    g_ab, g_ba = ResnetGenerator(), ResnetGenerator()
    d_a, d_b = patch_discriminator(), patch_discriminator()
    g_opt = torch.optim.Adam(list(g_ab.parameters()) + list(g_ba.parameters()), 2e-4, betas=(0.5, 0.999))
    d_opt = torch.optim.Adam(list(d_a.parameters()) + list(d_b.parameters()), 2e-4, betas=(0.5, 0.999))

    def step(real):
        a, b = real, real.flip(0)
        g_opt.zero_grad()
        fake_b, fake_a = g_ab(a), g_ba(b)
        adversarial = ((d_b(fake_b) - 1) ** 2).mean() + ((d_a(fake_a) - 1) ** 2).mean()
        cycle = (g_ba(fake_b) - a).abs().mean() + (g_ab(fake_a) - b).abs().mean()
        identity = (g_ab(b) - b).abs().mean() + (g_ba(a) - a).abs().mean()
        (adversarial + cycle_weight * cycle + cycle_weight * identity_weight * identity).backward()
        g_opt.step()
        d_opt.zero_grad()
        fake_b, fake_a = fake_b.detach(), fake_a.detach()
        d_loss = 0.5 * (((d_b(b) - 1) ** 2).mean() + (d_b(fake_b) ** 2).mean()
                        + ((d_a(a) - 1) ** 2).mean() + (d_a(fake_a) ** 2).mean())
        d_loss.backward()
        d_opt.step()
    return step, (batch_size, 1, 32, 32)


def recipe_step(batch_size, size=64, base=16, ema=0.999):
    """The own-images recipe's step, as ``kgz.GAN.for_shape((64, 64, 3), network_kwargs=
    {"architecture": "resnet", "base_filters": 16}, loss="hinge", augment="diffaugment",
    ema=0.999)``: hinge loss, DiffAugment on every image D sees, real and fake judged in one
    call (no batch-coupled layer in D), G through the updated D on the same fakes, then the
    generator's moving average (the warm-up ``min(ema, (1 + t) / (10 + t))`` of kgz)."""
    g, d = ResnetGANGenerator(size, 3, base), ResnetGANDiscriminator(size, 3, base)
    g_ema = ResnetGANGenerator(size, 3, base)
    g_ema.load_state_dict(g.state_dict())
    g_opt = torch.optim.Adam(g.parameters(), 2e-4, betas=(0.5, 0.999))
    d_opt = torch.optim.Adam(d.parameters(), 2e-4, betas=(0.5, 0.999))
    averaged, source = list(g_ema.parameters()), list(g.parameters())
    updates = [0]

    def step(real):
        d_opt.zero_grad()
        fake = g(torch.randn(batch_size, LATENT))
        logits = d(diffaugment(torch.cat([real, fake.detach()])))
        real_logits, fake_logits = logits[:batch_size], logits[batch_size:]
        d_loss = F.relu(1 - real_logits).mean() + F.relu(1 + fake_logits).mean()
        d_loss.backward()
        d_opt.step()
        g_opt.zero_grad()
        g_loss = -d(diffaugment(fake)).mean()
        g_loss.backward()
        g_opt.step()
        with torch.no_grad():
            t = updates[0]
            torch._foreach_lerp_(averaged, source, 1 - min(ema, (1 + t) / (10 + t)))
            updates[0] += 1
    return step, (batch_size, 3, size, size)


# ------------------------------------------------- the emoji ladder's steps (64x64x3)
def _requires_grad(module, flag):
    """Freeze (or thaw) ``module``'s weights: the generator update backpropagates through the
    discriminator to its input only, as TensorFlow does when asked for the generator's
    gradients (and as StyleGAN2's and BigGAN's PyTorch code toggle it)."""
    for p in module.parameters():
        p.requires_grad_(flag)


def _moving_average(generator, average, decay):
    """kgz's ``update_ema``: after generator update ``t`` the average moves by ``1 - beta_t``,
    ``beta_t = min(decay, (1 + t) / (10 + t))``; buffers (BN statistics, spectral norm's
    ``u`` and ``v``, StyleGAN2's ``w_avg``) are copied."""
    average.load_state_dict(generator.state_dict())
    averaged, source = list(average.parameters()), list(generator.parameters())
    copied, buffers = list(average.buffers()), list(generator.buffers())
    updates = [0]

    def update():
        updates[0] += 1
        t = updates[0]
        with torch.no_grad():
            torch._foreach_lerp_(averaged, source, 1 - min(decay, (1 + t) / (10 + t)))
            torch._foreach_copy_(copied, buffers)
    return update


#: per-example losses averaged over the batch: (discriminator's, generator's)
LOSSES = {
    "hinge": (lambda real, fake: F.relu(1 - real).mean() + F.relu(1 + fake).mean(),
              lambda fake: -fake.mean()),
    "non_saturating": (lambda real, fake: F.softplus(-real).mean() + F.softplus(fake).mean(),
                       lambda fake: F.softplus(-fake).mean()),
}


def _gan_step(g, d, g_opt, d_opt, batch_size, latent, loss, num_classes=None, ema=None,
              g_ema=None, generator_penalty=None, shape=(3, 64, 64)):
    """kgz's shared GAN step (``GAN.train_step``) with one discriminator update and
    ``reuse_fakes``: fakes of this step's noise (and the batch's labels); D on the real and the
    detached fakes in one call (none of these discriminators couples a batch: kgz's
    ``judge_pair``); G through the updated D on the same fakes, plus ``generator_penalty()``;
    then the generator's moving average (``ema``, into ``g_ema``).

    The step takes ``(real, labels=None)``; a conditional step without labels uses labels
    drawn once (as ``conditional_step``).
    """
    d_loss_fn, g_loss_fn = LOSSES[loss]
    drawn = None if num_classes is None else torch.randint(0, num_classes, (batch_size,))
    update_ema = None if ema is None else _moving_average(g, g_ema, ema)

    def step(real, labels=None):
        n = real.shape[0]
        condition = () if num_classes is None else (drawn if labels is None else labels,)
        fake = g(torch.randn(n, latent), *condition)
        d_opt.zero_grad()
        logits = d(torch.cat([real, fake.detach()]), *(torch.cat([c, c]) for c in condition))
        d_loss = d_loss_fn(logits[:n], logits[n:])
        d_loss.backward()
        d_opt.step()
        _requires_grad(d, False)
        g_opt.zero_grad()
        g_loss = g_loss_fn(d(fake, *condition))
        if generator_penalty is not None:
            g_loss = g_loss + generator_penalty()
        g_loss.backward()
        g_opt.step()
        _requires_grad(d, True)
        if update_ema is not None:
            update_ema()
    step.networks = {"generator": g, "discriminator": d}
    step.num_classes, step.period = num_classes, 1
    return step, (batch_size, *shape)


def _ttur(g, d, betas=(0.0, 0.9), eps=1e-8):
    """SAGAN's two time-scale update rule: Adam 1e-4 (G) and 4e-4 (D)."""
    return (torch.optim.Adam(g.parameters(), 1e-4, betas=betas, eps=eps),
            torch.optim.Adam(d.parameters(), 4e-4, betas=betas, eps=eps))


def dcgan_step(batch_size, size=64, channels=3):
    """The ladder's ``dcgan``: ``kgz.GAN.for_shape((64, 64, 3))`` - DCGAN networks (dense to
    4x4x512, transposed convolutions to 64x64; convolutions 64 to 512 and a dense logit), the
    non-saturating loss, Adam(2e-4, 0.5), real and fakes judged in one call, G through the
    updated D on the same fakes."""
    g, d = dcgan_generator(LATENT, channels, 64, size), dcgan_discriminator(channels, 64, size)
    g_opt = torch.optim.Adam(g.parameters(), 2e-4, betas=(0.5, 0.999))
    d_opt = torch.optim.Adam(d.parameters(), 2e-4, betas=(0.5, 0.999))
    return _gan_step(g, d, g_opt, d_opt, batch_size, LATENT, "non_saturating",
                     shape=(channels, size, size))


def sngan_step(batch_size, size=64, base=16):
    """The ladder's ``sngan``: ``kgz.GAN.for_shape((64, 64, 3), network_kwargs={"architecture":
    "resnet", "base_filters": 16}, loss="hinge")`` compiled with the ladder's TTUR (Adam 1e-4 G,
    4e-4 D, betas (0, 0.9)): the recipe's ResNets (SN in D only) without DiffAugment or EMA."""
    g, d = ResnetGANGenerator(size, 3, base), ResnetGANDiscriminator(size, 3, base)
    return _gan_step(g, d, *_ttur(g, d), batch_size, LATENT, "hinge", shape=(3, size, size))


def sagan_step(batch_size, size=64, base=16, latent=128, attention=32):
    """The ladder's ``sagan``: ``kgz.SAGAN.for_shape((64, 64, 3), network_kwargs={"base_filters":
    16})`` - the ResNets with spectral norm in G too, self-attention after the 32x32 block in
    both, z of 128, hinge loss, TTUR (Adam 1e-4 / 4e-4, betas (0, 0.9))."""
    g = ResnetGANGenerator(size, 3, base, latent, sn=True, attention=attention)
    d = ResnetGANDiscriminator(size, 3, base, attention=attention)
    return _gan_step(g, d, *_ttur(g, d), batch_size, latent, "hinge", shape=(3, size, size))


def biggan_step(batch_size, num_classes=9, size=64, base=16, ema=0.999, beta=1e-4):
    """The ladder's ``biggan``: ``kgz.BigGAN.for_shape((64, 64, 3), num_classes=9,
    network_kwargs={"base_filters": 16})`` - conditional BN with a shared embedding,
    hierarchical z (5 x 20), self-attention at 32x32, a projection discriminator, SN in both;
    hinge loss, Adam 1e-4 / 4e-4 with betas (0, 0.999) and epsilon 1e-6, fakes for the
    batch's labels, orthogonal regularisation (beta 1e-4) in the generator's loss, EMA 0.999."""
    g = BigGANGenerator(num_classes, size, 3, base)
    d = BigGANDiscriminator(num_classes, size, 3, base)
    return _gan_step(g, d, *_ttur(g, d, betas=(0.0, 0.999), eps=1e-6), batch_size, g.latent,
                     "hinge", num_classes=num_classes, ema=ema,
                     g_ema=BigGANGenerator(num_classes, size, 3, base),
                     generator_penalty=lambda: orthogonal_penalty(g.regularised, beta),
                     shape=(3, size, size))


def stylegan2_step(batch_size, size=64, base=16, latent=256, r_interval=16, pl_interval=4,
                   pl_weight=2.0, pl_decay=0.01, style_mixing=0.9, ema=0.998):
    """The ladder's ``stylegan2``: ``kgz.StyleGAN2.for_shape((64, 64, 3), network_kwargs=
    {"base_filters": 16})`` and its step.

    * Networks: mapping (8 x 256, lr x 0.01), skip synthesis of modulated convolutions with
      noise from a 4x4 constant, the residual discriminator with minibatch std
      (``StyleGAN2Generator``, ``StyleGAN2Discriminator``).
    * D update: fakes from two mapped latents mixed from a per-example cut-off with
      probability 0.9 (``w_avg`` tracked); D on real and on the detached fakes in two calls
      (minibatch std couples the batch); the non-saturating loss; every ``r_interval`` (16)
      updates, lazy R1 on the reals (a third D call and a double backward), gamma
      0.0002 * 64^2 / 32 times the interval.
    * G update through the updated D on the same fakes; every ``pl_interval`` (4) updates,
      path-length regularisation on half the batch (fresh z, no mixing, a double backward
      through the synthesis), weight 2 times the interval.
    * The moving average, 0.998.
    * Adam 0.002 with betas (0, 0.99), rate and beta_2 adjusted by c = k / (k + 1) for each
      side's lazy regulariser (k = 4 for G, 16 for D).

    Regularised updates come every 16 and 4 steps: ``step.period`` (16) steps make a whole
    number of both, over which a mean gives the amortised cost.
    """
    g = StyleGAN2Generator(size, 3, latent, latent, 8, base)
    d = StyleGAN2Discriminator(size, 3, base)
    g_ema = StyleGAN2Generator(size, 3, latent, latent, 8, base)

    def adam(params, interval):
        c = interval / (interval + 1)
        return torch.optim.Adam(params, 0.002 * c, betas=(0.0, 0.99 ** c), eps=1e-8)

    g_opt, d_opt = adam(g.parameters(), pl_interval), adam(d.parameters(), r_interval)
    update_ema = _moving_average(g, g_ema, ema)
    r1_gamma = 0.0002 * size ** 2 / 32
    num_ws = g.synthesis.num_ws
    state = {"d": 0, "g": 0, "pl_mean": torch.zeros([])}

    def fake_images(n):
        w1 = g.mapping(torch.randn(n, latent), update_w_avg=True)
        w2 = g.mapping(torch.randn(n, latent))
        cutoff = torch.where(torch.rand(n) < style_mixing, torch.randint(1, num_ws, (n,)),
                             torch.full((n,), num_ws))
        ws = torch.where(torch.arange(num_ws)[None, :, None] < cutoff[:, None, None],
                         w1[:, None], w2[:, None])
        return g.synthesis(ws)

    def path_length_penalty(n):
        w = g.mapping(torch.randn(n, latent))
        ws = w[:, None].repeat(1, num_ws, 1)
        images = g.synthesis(ws)
        directions = torch.randn_like(images) / math.sqrt(images.shape[2] * images.shape[3])
        grads, = torch.autograd.grad((images * directions).sum(), ws, create_graph=True)
        lengths = (grads.square().sum(2).mean(1) + 1e-8).sqrt()
        state["pl_mean"] = state["pl_mean"].lerp(lengths.mean().detach(), pl_decay)
        return (lengths - state["pl_mean"]).square().mean() * pl_weight * pl_interval

    def step(real, labels=None):
        n = real.shape[0]
        fake = fake_images(n)
        d_opt.zero_grad()
        d_loss = LOSSES["non_saturating"][0](d(real), d(fake.detach()))
        if state["d"] % r_interval == 0:
            real_ = real.detach().requires_grad_(True)
            grads, = torch.autograd.grad(d(real_).sum(), real_, create_graph=True)
            d_loss = d_loss + 0.5 * r1_gamma * r_interval * grads.square().sum([1, 2, 3]).mean()
        d_loss.backward()
        d_opt.step()
        state["d"] += 1
        _requires_grad(d, False)
        g_opt.zero_grad()
        g_loss = LOSSES["non_saturating"][1](d(fake))
        if state["g"] % pl_interval == 0:
            g_loss = g_loss + path_length_penalty(max(n // 2, 1))
        g_loss.backward()
        g_opt.step()
        state["g"] += 1
        _requires_grad(d, True)
        update_ema()
    step.networks = {"generator": g, "discriminator": d}
    step.num_classes, step.period = None, math.lcm(r_interval, pl_interval)
    return step, (batch_size, 3, size, size)

STEPS = {"gan": gan_step, "wgan_gp": wgan_gp_step, "conditional": conditional_step,
         "cyclegan": cyclegan_step, "recipe": recipe_step,
         # the emoji ladder's models at 64x64x3 (``benchmarks/emoji_ladder.py``)
         "dcgan": dcgan_step, "sngan": sngan_step, "sagan": sagan_step, "biggan": biggan_step,
         "stylegan2": stylegan2_step}

#: The emoji ladder's models by its names (``emoji_ladder.MODELS``), each ``batch_size ->
#: (step, shape)`` at 64x64x3. ``STEPS["wgan_gp"]`` is throughput.py's 28x28 one; the ladder's
#: is 64 px. LAPGAN has no reference here.
LADDER = {"dcgan": dcgan_step,
          "wgan_gp": functools.partial(wgan_gp_step, size=64, channels=3),
          "sngan": sngan_step, "sagan": sagan_step, "biggan": biggan_step,
          "stylegan2": stylegan2_step}


def parameter_counts(module):
    """``(trainable parameters, buffers)`` of ``module``: spectral norm keeps ``u`` and ``v``
    as buffers (Keras's layers keep ``u``), batch norm its statistics and a step count."""
    return (sum(p.numel() for p in module.parameters()),
            sum(b.numel() for b in module.buffers()))


def images_per_second(variant, batch_size, steps=10, warmup=2, seed=0):
    """Training images/second of ``variant``'s step in PyTorch eager (in-memory batches)."""
    torch.manual_seed(seed)
    step, shape = STEPS[variant](batch_size)
    real = torch.rand(shape) * 2 - 1
    for _ in range(warmup):
        step(real)
    start = time.perf_counter()
    for _ in range(steps):
        step(real)
    return steps * batch_size / (time.perf_counter() - start)


if __name__ == "__main__":
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads")
    for name in sys.argv[1:] or STEPS:
        batch = {"cyclegan": 8, "recipe": 32, "dcgan": 32, "sngan": 32, "sagan": 32,
                 "biggan": 32, "stylegan2": 32}.get(name, 64)
        steps = 16 if name == "stylegan2" else 10  # a whole period of its lazy regularisers
        print(f"{name:12s} batch {batch}: {images_per_second(name, batch, steps):8.1f} images/s")
