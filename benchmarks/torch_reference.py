"""PyTorch eager reference of keras-gan-zoo's default networks and training steps.

Used by ``benchmarks/throughput.py`` to time the same work in PyTorch: the
same layers, filters, kernel sizes, strides, optimisers and losses as
``kgz.GAN.for_shape((28, 28, 1))``, ``kgz.WGANGP.for_shape``,
``kgz.ConditionalGAN.for_shape``, ``kgz.CycleGAN.for_shape((32, 32, 1))`` and the
own-images recipe (ResNet networks with spectral norm, hinge loss, DiffAugment,
EMA) at 64 px,
written the way the PyTorch DCGAN example writes them (channels first,
``zero_grad`` / ``backward`` / ``step``). Nothing here is part of the package.

    python benchmarks/torch_reference.py       # prints images/second of each step
"""

import contextlib
import functools
import time

import torch
from torch import nn
from torch.nn import functional as F

LATENT = 64


def dcgan_generator(latent=LATENT, channels=1, base=64):
    """Dense 7x7x128 -> BN ReLU -> ConvT 64 (s2) -> BN ReLU -> ConvT c (s2) -> tanh: 28x28."""
    return nn.Sequential(
        nn.Linear(latent, 7 * 7 * 2 * base, bias=False), nn.BatchNorm1d(7 * 7 * 2 * base), nn.ReLU(),
        nn.Unflatten(1, (2 * base, 7, 7)),
        nn.ConvTranspose2d(2 * base, base, 4, 2, 1, bias=False), nn.BatchNorm2d(base), nn.ReLU(),
        nn.ConvTranspose2d(base, channels, 4, 2, 1), nn.Tanh(),
    )


def dcgan_body(channels=1, base=64):
    """Conv 64 (s2) LReLU -> Conv 128 (s2) LReLU -> flatten: 28x28 -> 6272 features."""
    return nn.Sequential(
        nn.Conv2d(channels, base, 4, 2, 1), nn.LeakyReLU(0.2),
        nn.Conv2d(base, 2 * base, 4, 2, 1), nn.LeakyReLU(0.2), nn.Flatten(),
    )


def dcgan_discriminator(channels=1, base=64):
    return nn.Sequential(dcgan_body(channels, base), nn.Linear(7 * 7 * 2 * base, 1))


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


# ------------------------------------------- the own-images recipe (ResNet + SN)
def _width(base, size, resolution):
    return base * min(size // resolution, 8)


class UpBlock(nn.Module):
    """BN ReLU, upsample, conv3, BN ReLU, conv3; shortcut: upsample, conv1 (kgz's ``up_block``)."""

    def __init__(self, cin, cout):
        super().__init__()
        self.bn1, self.bn2 = nn.BatchNorm2d(cin), nn.BatchNorm2d(cout)
        self.conv1, self.conv2 = nn.Conv2d(cin, cout, 3, 1, 1), nn.Conv2d(cout, cout, 3, 1, 1)
        self.shortcut = nn.Conv2d(cin, cout, 1)

    def forward(self, x):
        h = F.interpolate(F.relu(self.bn1(x)), scale_factor=2, mode="nearest")
        h = self.conv2(F.relu(self.bn2(self.conv1(h))))
        return h + self.shortcut(F.interpolate(x, scale_factor=2, mode="nearest"))


class ResnetGANGenerator(nn.Module):
    """kgz's ``sngan_generator``: dense to 4x4, up blocks to ``size``, BN ReLU conv3 tanh."""

    def __init__(self, size=64, channels=3, base=16, latent=LATENT):
        super().__init__()
        self.seed, self.filters = 4, _width(base, size, 4)
        self.project = nn.Linear(latent, 16 * self.filters)
        blocks, cin, resolution = [], self.filters, 4
        while resolution < size:
            resolution *= 2
            blocks.append(UpBlock(cin, _width(base, size, resolution)))
            cin = _width(base, size, resolution)
        self.blocks = nn.Sequential(*blocks)
        self.out_bn, self.to_image = nn.BatchNorm2d(cin), nn.Conv2d(cin, channels, 3, 1, 1)

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
    """kgz's ``sngan_discriminator``: spectrally normalised down blocks, ReLU, sum, SN dense."""

    def __init__(self, size=64, channels=3, base=16):
        super().__init__()
        blocks, cin, resolution = [], channels, size
        while resolution > 4:
            resolution //= 2
            blocks.append(DownBlock(cin, _width(base, size, resolution), first=not blocks))
            cin = _width(base, size, resolution)
        self.blocks = nn.Sequential(*blocks)
        self.logit = nn.utils.parametrizations.spectral_norm(nn.Linear(cin, 1))

    def forward(self, x):
        return self.logit(F.relu(self.blocks(x)).sum((2, 3)))


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


def wgan_gp_step(batch_size, critic_steps=5, gp_weight=10.0):
    """One WGAN-GP step: 5 critic updates with the gradient penalty, then G, as kgz.WGANGP."""
    g, d = dcgan_generator(), dcgan_discriminator()
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
    return step, (batch_size, 1, 28, 28)


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


STEPS = {"gan": gan_step, "wgan_gp": wgan_gp_step, "conditional": conditional_step,
         "cyclegan": cyclegan_step, "recipe": recipe_step}


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
    for name in STEPS:
        batch = {"cyclegan": 8, "recipe": 32}.get(name, 64)
        print(f"{name:12s} batch {batch}: {images_per_second(name, batch):8.1f} images/s")
