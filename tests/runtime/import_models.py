"""Source text of the model files the import tests write: one per kind of network people bring."""

MODELS = '''
import torch
from torch import nn
import torch.nn.functional as F


def plain_cnn(classes=10):
    """A plain Sequential CNN (a function returning the module)."""
    return nn.Sequential(
        nn.Conv2d(3, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(inplace=True), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1, bias=False), nn.BatchNorm2d(32), nn.LeakyReLU(0.2),
        nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten(), nn.Dropout(0.3), nn.Linear(32, classes))


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride=1):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.shortcut = nn.Sequential()
        if stride != 1 or cin != cout:
            self.shortcut = nn.Sequential(
                nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        out += self.shortcut(x)
        return F.relu(out)


class ResidualNet(nn.Module):
    """A residual net with `out += shortcut`."""

    def __init__(self, classes=10):
        super().__init__()
        self.stem = nn.Conv2d(3, 16, 3, padding=1, bias=False)
        self.bn = nn.BatchNorm2d(16)
        self.layer1 = nn.Sequential(BasicBlock(16, 16), BasicBlock(16, 32, 2))
        self.fc = nn.Linear(32, classes)

    def forward(self, x):
        x = F.relu(self.bn(self.stem(x)))
        x = self.layer1(x)
        x = F.adaptive_avg_pool2d(x, 1)
        return self.fc(torch.flatten(x, 1))


class DenseNet(nn.Module):
    """A dense net: every layer sees the concatenation of all earlier ones."""

    def __init__(self, growth=8, classes=10):
        super().__init__()
        self.conv0 = nn.Conv2d(3, 16, 3, padding=1)
        self.layers = nn.ModuleList()
        channels = 16
        for _ in range(3):
            self.layers.append(nn.Sequential(nn.BatchNorm2d(channels), nn.ReLU(),
                                             nn.Conv2d(channels, growth, 3, padding=1, bias=False)))
            channels += growth
        self.head = nn.Linear(channels, classes)

    def forward(self, x):
        features = [self.conv0(x)]
        for layer in self.layers:
            features.append(layer(torch.cat(features, 1)))
        x = torch.cat(features, 1)
        return self.head(x.mean((2, 3)))


class Inception(nn.Module):
    def __init__(self, cin):
        super().__init__()
        self.b1 = nn.Conv2d(cin, 8, 1)
        self.b2 = nn.Sequential(nn.Conv2d(cin, 4, 1), nn.ReLU(), nn.Conv2d(4, 8, 3, padding=1))
        self.b3 = nn.Sequential(nn.Conv2d(cin, 4, 1), nn.ReLU(), nn.Conv2d(4, 8, 5, padding=2))
        self.b4 = nn.Sequential(nn.MaxPool2d(3, 1, 1), nn.Conv2d(cin, 8, 1))

    def forward(self, x):
        return torch.cat([self.b1(x), self.b2(x), self.b3(x), self.b4(x)], dim=1)


class InceptionNet(nn.Module):
    """An inception net with four branches."""

    def __init__(self, classes=10):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 16, 3, padding=1), nn.ReLU())
        self.mixed = Inception(16)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(32, classes)

    def forward(self, x):
        x = self.pool(F.relu(self.mixed(self.stem(x))))
        return self.fc(x.flatten(1))


class SE(nn.Module):
    def __init__(self, channels, reduction=4):
        super().__init__()
        self.squeeze = nn.AdaptiveAvgPool2d(1)
        self.reduce = nn.Conv2d(channels, channels // reduction, 1)
        self.expand = nn.Conv2d(channels // reduction, channels, 1)

    def forward(self, x):
        s = torch.sigmoid(self.expand(F.relu(self.reduce(self.squeeze(x)))))
        return x * s


class SENet(nn.Module):
    """Squeeze-excitation with a multiply."""

    def __init__(self, classes=10):
        super().__init__()
        self.conv = nn.Conv2d(3, 16, 3, padding=1)
        self.se = SE(16)
        self.fc = nn.Linear(16 * 8 * 8, classes)

    def forward(self, x):
        x = F.max_pool2d(self.se(F.relu(self.conv(x))), 4)
        return self.fc(torch.flatten(x, 1))


class InvertedResidual(nn.Module):
    def __init__(self, channels, expand=4):
        super().__init__()
        hidden = channels * expand
        self.block = nn.Sequential(
            nn.Conv2d(channels, hidden, 1, bias=False), nn.BatchNorm2d(hidden),
            nn.ReLU6(inplace=True),
            nn.Conv2d(hidden, hidden, 3, 1, 1, groups=hidden, bias=False), nn.BatchNorm2d(hidden),
            nn.ReLU6(inplace=True),
            nn.Conv2d(hidden, channels, 1, bias=False), nn.BatchNorm2d(channels))

    def forward(self, x):
        return x + self.block(x)


class MobileNet(nn.Module):
    """An inverted residual (MobileNetV2)."""

    def __init__(self, classes=10):
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(3, 16, 3, 2, 1, bias=False), nn.BatchNorm2d(16),
                                      nn.Hardswish(), InvertedResidual(16), InvertedResidual(16))
        self.classifier = nn.Sequential(nn.Dropout(0.2), nn.Linear(16, classes))

    def forward(self, x):
        x = self.features(x)
        x = F.adaptive_avg_pool2d(x, (1, 1)).flatten(1)
        return self.classifier(x)


def channel_shuffle(x, groups):
    b, c, h, w = x.size()
    x = x.view(b, groups, c // groups, h, w)
    x = torch.transpose(x, 1, 2).contiguous()
    return x.view(b, -1, h, w)


class ShuffleUnit(nn.Module):
    def __init__(self, channels):
        super().__init__()
        half = channels // 2
        self.branch = nn.Sequential(nn.Conv2d(half, half, 1, bias=False), nn.BatchNorm2d(half),
                                    nn.ReLU(),
                                    nn.Conv2d(half, half, 3, 1, 1, groups=half, bias=False),
                                    nn.BatchNorm2d(half), nn.Conv2d(half, half, 1, bias=False),
                                    nn.BatchNorm2d(half), nn.ReLU())

    def forward(self, x):
        left, right = x.chunk(2, dim=1)
        out = torch.cat((left, self.branch(right)), 1)
        return channel_shuffle(out, 2)


class ShuffleNet(nn.Module):
    """A shuffle unit (view / transpose / view)."""

    def __init__(self, classes=10):
        super().__init__()
        self.conv = nn.Conv2d(3, 24, 3, padding=1)
        self.unit = ShuffleUnit(24)
        self.tail = nn.Conv2d(24, 32, 1)
        self.fc = nn.Linear(32, classes)

    def forward(self, x):
        x = self.tail(self.unit(self.conv(x)))
        x = x[:, :32].mean([2, 3])
        return self.fc(x)


class FunctionalNet(nn.Module):
    """A functional-style forward."""

    def __init__(self, classes=10):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 8, 5, padding=2)
        self.conv2 = nn.Conv2d(8, 16, 3)
        self.fc1 = nn.Linear(16 * 7 * 7, 32)
        self.fc2 = nn.Linear(32, classes)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.avg_pool2d(F.relu(self.conv2(x)), kernel_size=2, stride=2)
        x = torch.flatten(x, 1)
        x = F.dropout(F.relu(self.fc1(x)), p=0.25, training=self.training)
        return self.fc2(x)


class ViewNet(nn.Module):
    """A flatten by x.view(x.size(0), -1), LeNet style."""

    def __init__(self, classes=10):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 6, 5)
        self.pool = nn.MaxPool2d(2, 2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, classes)

    def forward(self, x):
        x = self.pool(torch.tanh(self.conv1(x)))
        x = self.pool(torch.tanh(self.conv2(x)))
        x = x.view(x.size(0), -1)
        return self.fc2(torch.sigmoid(self.fc1(x)))


class PowerGate(nn.Module):
    """No block computes this: it becomes a custom module (with its own weight)."""

    def __init__(self, channels, exponent=2.0):
        super().__init__()
        self.exponent = exponent
        self.weight = nn.Parameter(torch.linspace(0.5, 1.5, channels).view(1, channels, 1, 1))

    def forward(self, x):
        return x * torch.pow(torch.sigmoid(x), self.exponent) * self.weight


class CustomNet(nn.Module):
    """A net with a module no block expresses, and an nn module with no block (Upsample)."""

    def __init__(self, classes=10):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3, padding=1)
        self.gate = PowerGate(8, exponent=3.0)
        self.up = nn.Upsample(scale_factor=2, mode="nearest")
        self.down = nn.Conv2d(8, 8, 3, stride=4, padding=1)
        self.fc = nn.Linear(8 * 16 * 16, classes)

    def forward(self, x):
        x = self.down(self.up(self.gate(self.conv(x))))
        return self.fc(x.reshape(x.shape[0], -1))
'''

NAMES = (
    "plain_cnn",
    "ResidualNet",
    "DenseNet",
    "InceptionNet",
    "SENet",
    "MobileNet",
    "ShuffleNet",
    "FunctionalNet",
    "ViewNet",
    "CustomNet",
)
"""Every model (class or factory) in MODELS; all take a 3×32×32 input."""
