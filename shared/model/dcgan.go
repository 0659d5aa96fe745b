package model

import (
	"fmt"

	"github.com/gebm/gebm/shared/nn"
)

// Architectures of the two networks: multilayer perceptrons (the paper's
// for 2-D data and, by default, for images), or the paper's DCGAN-like
// convolutional pair for images.
const (
	ArchMLP   = "mlp"
	ArchDCGAN = "dcgan"
)

// dcganImage returns the image shape C×H×W that data of shape shape
// (a model file's [H W] for one channel, [C H W] for more) has, with an
// error unless the images are square with a side that is a multiple of 4
// (two stride-2 layers halve it twice).
func dcganImage(shape []int) (c, h, w int, err error) {
	switch len(shape) {
	case 2:
		c, h, w = 1, shape[0], shape[1]
	case 3:
		c, h, w = shape[0], shape[1], shape[2]
	default:
		return 0, 0, 0, fmt.Errorf("model: the dcgan architecture needs image data (C×H×W rows), not rows of shape %v", shape)
	}
	if h != w || h < 4 || h%4 != 0 || c < 1 {
		return 0, 0, 0, fmt.Errorf("model: the dcgan architecture needs square images whose side is a multiple of 4 (e.g. 28 or 32), not %d×%d×%d; resample them with --image-size", c, h, w)
	}
	return c, h, w, nil
}

// checkDCGAN refuses a configuration with a convolutional network that
// cannot be built: a dcgan base other than the MLP kind, data that are not
// square images of a side divisible by 4, or channel widths out of range.
func (c Config) checkDCGAN() error {
	if c.Arch == ArchDCGAN && c.Base != "" && c.Base != BaseMLP {
		return fmt.Errorf("model: the dcgan architecture has a generator of its own: base %q must be %s", c.Base, BaseMLP)
	}
	if c.Channels < 1 || 2*c.Channels > nn.MaxDim {
		return fmt.Errorf("model: dcgan channel width %d must be in 1..%d", c.Channels, nn.MaxDim/2)
	}
	_, _, _, err := dcganImage(c.Data.Shape)
	return err
}

// dcganSpec returns the DCGAN-like base and energy for images C×H×W with
// channel width ch = c.Channels (Radford et al. 2016 as the paper uses it,
// at two resolutions): the base maps z through linear(Latent → 2ch·(H/4)·(W/4)),
// batchnorm, ReLU, a stride-2 transposed convolution to ch channels at
// H/2×W/2, batchnorm, ReLU, and a stride-2 transposed convolution to C
// channels at H×W, followed by c.BaseOutput (tanh for pixels in [−1, 1]);
// the energy maps x through a stride-2 convolution to ch channels,
// LeakyReLU(EnergySlope), a stride-2 convolution to 2ch channels,
// LeakyReLU, and linear(2ch·(H/4)·(W/4) → 1), each of its three layers
// spectrally normalised when c.SpectralNorm (Spec adds the floor at
// EnergyFloor). Every convolution has kernel 4 and padding 1, so that
// stride 2 halves or doubles the side exactly. Meant for a configuration
// checkDCGAN accepts.
func (c Config) dcganSpec() (base, energy nn.Spec) {
	C, H, W, _ := dcganImage(c.Data.Shape)
	ch, h4, w4 := c.Channels, H/4, W/4
	conv := func(kind nn.Kind, in, out, h, w int, sn bool) nn.LayerSpec {
		return nn.LayerSpec{Kind: kind, In: in, Out: out, Height: h, Width: w, Kernel: 4, Stride: 2, Padding: 1, SpectralNorm: sn}
	}
	relu, leaky := nn.Activation(nn.KindReLU, 0), nn.Activation(nn.KindLeakyReLU, c.EnergySlope)
	base.Layers = []nn.LayerSpec{
		{Kind: nn.KindLinear, In: c.Latent, Out: 2 * ch * h4 * w4}, {Kind: nn.KindBatchNorm, Channels: 2 * ch}, relu,
		conv(nn.KindConvTranspose2D, 2*ch, ch, h4, w4, false), {Kind: nn.KindBatchNorm, Channels: ch}, relu,
		conv(nn.KindConvTranspose2D, ch, C, 2*h4, 2*w4, false),
	}
	if c.BaseOutput != "" {
		base.Layers = append(base.Layers, nn.LayerSpec{Kind: c.BaseOutput})
	}
	energy.Layers = []nn.LayerSpec{
		conv(nn.KindConv2D, C, ch, H, W, c.SpectralNorm), leaky,
		conv(nn.KindConv2D, ch, 2*ch, 2*h4, 2*w4, c.SpectralNorm), leaky,
		{Kind: nn.KindLinear, In: 2 * ch * h4 * w4, Out: 1, SpectralNorm: c.SpectralNorm},
	}
	return base, energy
}
