// Builder: the signed file tree every image format carries. The kernel,
// the initrd, GRUB's images and menu (x86_64) or the flat kernel Image (the
// ports that boot one), the SBOM, the manifest listing each file's hash, and
// (unless the build is unsigned) the manifest's signature.
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import type { Builder } from "../../store/derivation.ts";
import { canonicalJson } from "../../store/hash.ts";
import { makeManifest, MANIFEST_FILE, manifestBytes, type ManifestFile, SIGNATURE_FILE } from "../image/manifest.ts";
import { EXTLINUX_CFG } from "../image/extlinux.ts";
import { SBOM_FILE, type SbomInput, spdxDocument } from "../image/sbom.ts";
import { unpackTar } from "../image/tar.ts";
import type { SecretKeyHandle } from "../sign/keys.ts";
import { signatureBytes, signManifest } from "../sign/signature.ts";
import { BOOT_FILES } from "./bootloader.ts";
import { INITRD_FILE, KERNEL_FILE, KERNEL_IMAGE_FILE } from "./outputs.ts";
import { builderVersion } from "./version.ts";

export interface PayloadArgs {
  readonly system: string;
  readonly arch: string;
  readonly configHash: string;
  /** GRUB's menu, or null for a port that boots a flat Image without GRUB. */
  readonly grubCfg: string | null;
  /** U-Boot's menu (extlinux.conf) for a port that boots a flat Image from a disk, else null. */
  readonly extlinuxCfg: string | null;
  /** `EFI/BOOT/<name>`: where UEFI firmware finds the Image when it is an EFI application (aarch64), else null. */
  readonly efiApp: string | null;
  readonly packages: SbomInput["packages"];
  readonly epoch: number;
  /** The image's version (see image/manifest.ts) and expiry (seconds since 1970, or null). */
  readonly version: number;
  readonly expires: number | null;
  /** The key that signs, or null for an unsigned build (`exo build --no-sign`). */
  readonly keyId: string | null;
}

/** What the SBOM names besides the image's own files; part of the builder's version. */
export interface SbomContext {
  readonly exoVersion: string;
  readonly templates: SbomInput["templates"];
  readonly tools: SbomInput["tools"];
  /** Exo's license, Node's major version, the npm packages that run in a build. */
  readonly runtime: SbomInput["runtime"];
  /** Debian's version of GRUB, from `grub-mkimage --version`. */
  readonly grubVersion: string;
}

/** What GRUB made, in the image: grub-mkimage's images, and the FAT image that holds the EFI one. */
const GRUB_IMAGES = ["boot/grub/eltorito.img", "boot/grub/core.img", "EFI/BOOT/BOOTX64.EFI"];
const NESTED = [{ outer: "efi.img", inner: "EFI/BOOT/BOOTX64.EFI" }];
const INITRD_PATH = "boot/initrd.tar";

type Layout = readonly { readonly path: string; readonly input: string; readonly file: string }[];

/** Where each file sits in a GRUB image (x86_64), and which input and file it comes from. */
const GRUB_LAYOUT: Layout = [
  { path: "boot/kernel.elf", input: "kernel", file: KERNEL_FILE },
  { path: INITRD_PATH, input: "initrd", file: INITRD_FILE },
  { path: "boot/grub/eltorito.img", input: "bootloader", file: BOOT_FILES.eltorito },
  { path: "boot/grub/core.img", input: "bootloader", file: BOOT_FILES.core },
  { path: "EFI/BOOT/BOOTX64.EFI", input: "bootloader", file: BOOT_FILES.efiApp },
  { path: "efi.img", input: "bootloader", file: BOOT_FILES.efiImage },
];

/** ... and in the image of a port that boots a flat Image (the ELF stays beside it: symbols, sizes, `exo diff`). */
const IMAGE_LAYOUT: Layout = [
  { path: "boot/kernel.elf", input: "kernel", file: KERNEL_FILE },
  { path: `boot/${KERNEL_IMAGE_FILE}`, input: "kernelImage", file: KERNEL_IMAGE_FILE },
  { path: INITRD_PATH, input: "initrd", file: INITRD_FILE },
];

export const GRUB_CFG = "boot/grub/grub.cfg";

export function payloadBuilder(key: SecretKeyHandle | undefined, sbom: SbomContext): Builder {
  return {
    version: builderVersion(import.meta.url, sbom),
    async run(ctx) {
      const args = ctx.args as unknown as PayloadArgs;
      const files: ManifestFile[] = [];
      const put = async (file: ManifestFile) => {
        await mkdir(join(ctx.out, dirname(file.path)), { recursive: true });
        await writeFile(join(ctx.out, file.path), file.data);
        files.push(file);
      };
      const grub = args.grubCfg !== null;
      const efiApp = args.efiApp === null ? [] : [{ path: args.efiApp, input: "kernelImage", file: KERNEL_IMAGE_FILE }];
      for (const item of grub ? GRUB_LAYOUT : [...IMAGE_LAYOUT, ...efiApp]) {
        const from = join(ctx.inputs[item.input]!, item.file);
        await put({ path: item.path, data: await readFile(from), storePath: basename(ctx.inputs[item.input]!) });
      }
      if (grub) await put({ path: GRUB_CFG, data: Buffer.from(args.grubCfg!) });
      if (args.extlinuxCfg !== null) await put({ path: EXTLINUX_CFG, data: Buffer.from(args.extlinuxCfg) });
      const { runtime, grubVersion, ...context } = sbom;
      const initrd = (await unpackTar(files.find((f) => f.path === INITRD_PATH)!.data)).entries.map((e) => ({ path: e.name, data: e.data }));
      const bootSectors = [];
      for (const name of grub ? [BOOT_FILES.bootSector, BOOT_FILES.hybridMbr] : []) bootSectors.push({ path: name, data: await readFile(join(ctx.inputs.bootloader!, name)) });
      const document = spdxDocument({
        ...context,
        system: args.system,
        configHash: args.configHash,
        epoch: args.epoch,
        packages: args.packages,
        files,
        initrd: { path: INITRD_PATH, files: initrd },
        runtime,
        grub: grub ? { version: grubVersion, images: GRUB_IMAGES, bootSectors } : null,
        nested: grub ? NESTED : [],
      });
      await put({ path: SBOM_FILE, data: Buffer.from(`${JSON.stringify(JSON.parse(canonicalJson(document)), null, 2)}\n`) });

      const manifest = manifestBytes(makeManifest({ system: args.system, arch: args.arch, configHash: args.configHash, version: args.version, created: args.epoch, expires: args.expires }, files));
      await writeFile(join(ctx.out, MANIFEST_FILE), manifest);
      if (args.keyId !== null) {
        if (!key) throw new Error(`the plan asks for a signature by key ${args.keyId}, but no key was loaded`);
        const secret = await key.load();
        if (secret.keyId !== args.keyId) throw new Error(`the plan asks for key ${args.keyId} but key ${secret.keyId} was loaded`);
        await writeFile(join(ctx.out, SIGNATURE_FILE), signatureBytes(signManifest(manifest, secret)));
      }
    },
  };
}
