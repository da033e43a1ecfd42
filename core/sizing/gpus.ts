/**
 * GPU memory per `nvidia.com/gpu.product` label value (admission-autoconf.md §4.10, NVIDIA datasheets).
 *
 * Units: a datasheet's "80 GB" is read as 80 GiB. The HBM parts report about that to the driver
 * (`nvidia-smi` shows 81920 MiB on an A100-80GB, 81559 MiB on an H100-80GB), so GiB is the honest
 * unit for them. GDDR6 parts with ECC on report ~4–6 % less (L40S 46068 MiB); the fit margin
 * η = 0.95 of the recommender (recommend.ts) absorbs that.
 *
 * Products not listed answer undefined on purpose: MIG slices (`…-MIG-1g.10gb`) and time-sliced
 * products (`…-SHARED`) do not give a job the whole memory of the card.
 */

interface GpuProduct {
  /** Spelling of the GPU-feature-discovery label. */
  readonly label: string;
  readonly memoryGiB: number;
}

const PRODUCTS: readonly GpuProduct[] = [
  { label: "NVIDIA-A100-SXM4-80GB", memoryGiB: 80 },
  { label: "NVIDIA-A100-80GB-PCIe", memoryGiB: 80 },
  { label: "NVIDIA-A100-SXM4-40GB", memoryGiB: 40 },
  { label: "NVIDIA-A100-PCIE-40GB", memoryGiB: 40 },
  { label: "NVIDIA-H100-80GB-HBM3", memoryGiB: 80 },
  { label: "NVIDIA-H100-SXM5-80GB", memoryGiB: 80 },
  { label: "NVIDIA-H100-PCIe", memoryGiB: 80 },
  { label: "NVIDIA-H100-NVL", memoryGiB: 94 },
  { label: "NVIDIA-H200", memoryGiB: 141 },
  { label: "NVIDIA-H200-NVL", memoryGiB: 141 },
  { label: "NVIDIA-L40S", memoryGiB: 48 },
  { label: "NVIDIA-L40", memoryGiB: 48 },
  { label: "NVIDIA-L4", memoryGiB: 24 },
  { label: "NVIDIA-A10G", memoryGiB: 24 },
  { label: "NVIDIA-A10", memoryGiB: 24 },
  { label: "Tesla-V100-SXM2-32GB", memoryGiB: 32 },
  { label: "Tesla-V100-SXM2-16GB", memoryGiB: 16 },
  { label: "Tesla-V100-PCIE-32GB", memoryGiB: 32 },
  { label: "Tesla-V100-PCIE-16GB", memoryGiB: 16 },
];

/**
 * Lookup key: upper case, runs of spaces/underscores/hyphens → one hyphen, vendor prefix
 * (`NVIDIA`, `Tesla`) dropped. `NVIDIA A100-SXM4-80GB`, `nvidia-a100-sxm4-80gb` and `A100-SXM4-80GB`
 * share the key `A100-SXM4-80GB`.
 */
function productKey(product: string): string {
  return product
    .trim()
    .toUpperCase()
    .replace(/[\s_-]+/g, "-")
    .replace(/^(NVIDIA|TESLA)-?/, "")
    .replace(/^-/, "");
}

const BY_KEY: ReadonlyMap<string, GpuProduct> = new Map(PRODUCTS.map((p) => [productKey(p.label), p]));

/** Usable-class memory of one GPU in GiB, or undefined for an unknown, MIG or shared product. */
export function gpuMemoryGiB(product: string): number | undefined {
  return BY_KEY.get(productKey(product))?.memoryGiB;
}

/** The label spelling of a known product (`nvidia a100 80gb pcie` → `NVIDIA-A100-80GB-PCIe`). */
export function gpuProductLabel(product: string): string | undefined {
  return BY_KEY.get(productKey(product))?.label;
}

/** Every product label the table knows. */
export const KNOWN_GPU_PRODUCTS: readonly string[] = Object.freeze(PRODUCTS.map((p) => p.label));
