"""PyTorch eager reference of keras-gan-zoo's default networks and training steps.

Used by ``benchmarks/throughput.py`` to time the same work in PyTorch: the
same layers, filters, kernel sizes, strides, optimisers and losses as
``kgz.GAN.for_shape((28, 28, 1))``, ``kgz.WGANGP.for_shape``,
``kgz.ConditionalGAN.for_shape`` and ``kgz.CycleGAN.for_shape((32, 32, 1))``,
written the way the PyTorch DCGAN example writes them (channels first,
``zero_grad`` / ``backward`` / ``step``). Nothing here is part of the package.

    python benchmarks/torch_reference.py       # prints images/second of each step
"""

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
    """The CycleGAN ResNet generator of kgz.networks.resnet_generator (32 filters, 6 blocks)."""

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


# ------------------------------------------------------------------ steps
def gan_step(batch_size):
    """One non-saturating GAN step as kgz.GAN's default (and the PyTorch DCGAN example):
    D on real and detached fakes, then G through the updated D on the same fakes."""
    g, d = dcgan_generator(), dcgan_discriminator()
    g_opt = torch.optim.Adam(g.parameters(), 2e-4, betas=(0.5, 0.999))
    d_opt = torch.optim.Adam(d.parameters(), 2e-4, betas=(0.5, 0.999))
    bce = F.binary_cross_entropy_with_logits
    ones, zeros = torch.ones(batch_size, 1), torch.zeros(batch_size, 1)

    def step(real):
        d_opt.zero_grad()
        fake = g(torch.randn(batch_size, LATENT))
        d_loss = bce(d(real), ones) + bce(d(fake.detach()), zeros)
        d_loss.backward()
        d_opt.step()
        g_opt.zero_grad()
        g_loss = bce(d(fake), ones)
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


STEPS = {"gan": gan_step, "wgan_gp": wgan_gp_step, "conditional": conditional_step,
         "cyclegan": cyclegan_step}


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
        batch = 8 if name == "cyclegan" else 64
        print(f"{name:12s} batch {batch}: {images_per_second(name, batch):8.1f} images/s")
