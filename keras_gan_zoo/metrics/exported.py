"""What an export (a quantized one above all) does to a generator's quality.

``export_quality`` samples the Keras model and the exported file with
the same inputs, measures both against the same real images, and warns
(``ExportQualityWarning``) when the file's Fréchet distance is worse
than the model's by more than a threshold.
"""

import warnings

import numpy as np

__all__ = ["QUALITY_THRESHOLD", "ExportQualityWarning", "export_quality"]

#: Relative rise of the Fréchet distance above which an export warns (5%).
QUALITY_THRESHOLD = 0.05


class ExportQualityWarning(UserWarning):
    """An exported file's samples are measurably worse than its model's."""


def export_quality(model, exported, real, n=2000, seed=0, sources=None, extractor="auto",
                   threshold=QUALITY_THRESHOLD):
    """The Fréchet distance of ``model``'s and of its export's outputs, from the same inputs.

    Args:
        model: the trained variant the file was exported from.
        exported: the export: a path (any format ``keras_gan_zoo.export.load``
            reads) or an ``ExportedGenerator``.
        real: real images ``(m, h, w, c)`` in [-1, 1] (held out) to measure against.
        n: samples drawn from each (a sampler), with the same ``seed``, so both
            get identical noise and codes.
        seed: the seed of the inputs.
        sources: for a translator, the images ``(n, h, w, c)`` both translate.
        extractor: features, as ``keras_gan_zoo.metrics.extractor_for``
            (``"auto"``: digits for grey images, facades for colour).
        threshold: relative rise of the distance above which an
            ``ExportQualityWarning`` is issued (``None``: never).

    Returns:
        ``{"fid_model", "fid_export", "fid_change" (relative), "max_abs_diff",
        "mean_abs_diff", "samples", "extractor"}``.

    Example:
        >>> kgz.export.to_onnx(model, "g8.onnx", quantize="int8")
        >>> kgz.metrics.export_quality(model, "g8.onnx", held_out_images)
        {'fid_model': 14.03, 'fid_export': 14.2, 'fid_change': 0.012, ...}
    """
    from keras_gan_zoo import export
    from keras_gan_zoo.metrics import distances
    from keras_gan_zoo.metrics.features import extractor_for, features

    if isinstance(exported, export.ExportedGenerator):
        file = exported
    else:
        file = export.load(exported)
    signature = file.signature()
    real = np.asarray(real, "float32")
    if real.ndim != 4:
        raise ValueError(f"expected real images (m, h, w, c) in [-1, 1], got an array of shape "
                         f"{real.shape}")
    if signature.kind == "sampler":
        if sources is not None:
            raise ValueError(f"sources= applies to a translator; this export samples "
                             f"({file.metadata['variant']})")
        ours, theirs = model.generate(n, seed=seed), file.generate(n, seed=seed)
    else:
        if sources is None:
            raise ValueError(f"this export translates images ({file.metadata['variant']}): pass "
                             "sources= the images both should translate")
        direction = file.metadata.get("direction")
        noise = {"seed": seed} if any(p.kind == "normal" for p in signature.inputs) else {}
        ours = model.translate(sources, direction, **noise)
        theirs = file.translate(sources, **noise)
    ours, theirs = np.asarray(ours, "float32"), np.asarray(theirs, "float32")
    if ours.shape[1:] != real.shape[1:]:
        raise ValueError(f"the generator makes images of shape {ours.shape[1:]}, the real "
                         f"images are {real.shape[1:]}: give real images of the same size")
    name = extractor_for(real.shape[-1], extractor)
    real_features = features(real, name, verbose=0)
    fid = [float(distances.frechet_distance(real_features, features(images, name, verbose=0)))
           for images in (ours, theirs)]
    result = {"fid_model": fid[0], "fid_export": fid[1],
              "fid_change": (fid[1] - fid[0]) / fid[0] if fid[0] > 0 else float("nan"),
              "max_abs_diff": float(np.max(np.abs(ours - theirs))),
              "mean_abs_diff": float(np.mean(np.abs(ours - theirs))),
              "samples": len(ours), "extractor": name}
    if threshold is not None and result["fid_change"] > threshold:
        quantized = file.metadata.get("quantization", {}).get("mode")
        warnings.warn(ExportQualityWarning(
            f"{file.path}{f' ({quantized})' if quantized else ''} is worse than its model: "
            f"Fréchet distance {fid[1]:.4g} against {fid[0]:.4g} ({result['fid_change']:+.1%}, "
            f"over the {threshold:.0%} threshold) on {len(ours)} samples in {name} features; "
            "mean |file - model| per pixel "
            f"{result['mean_abs_diff']:.3g}. Keep the float32 (or float16) file if that matters"),
            stacklevel=2)
    return result
