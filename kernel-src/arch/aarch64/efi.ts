// arch/aarch64/efi.c: the EFI stub. The Image is also a PE/COFF EFI
// application (boot.S's header), so UEFI firmware (AAVMF) can start it from
// EFI/BOOT/BOOTAA64.EFI. efi_main finds the device tree among the firmware's
// configuration tables, reads \boot\initrd.tar from the volume it was loaded
// from, copies the device tree, the initrd and the Image itself below
// DIRECT_MAP_SIZE (the Image to a 2 MiB boundary, as boot.S wants), leaves
// boot services, cleans the caches and enters the copy through boot.S's
// efi_enter_image with the MMU off: x0 the device tree, x1/x2 the initrd. It
// runs at wherever the firmware loaded it, not at the kernel's link address,
// so it only uses PC-relative addresses (no pointers in initialised data, no
// globals written: the copy's .data must stay as linked).
import { emit, type Template } from "../../template.ts";

const source = "arch/aarch64/efi.ts";

/** Where payload.ts puts the initrd on the disk's FAT partition, as a UEFI path. */
const INITRD_PATH = String.raw`\\boot\\initrd.tar`;

export const efi: Template = {
  source,
  render() {
    const summary =
      "The EFI stub: under UEFI, load the initrd from the boot volume, find the device tree, copy the Image to a 2 MiB boundary, exit boot services and enter it with the MMU off.";
    return emit({ source, path: "arch/aarch64/efi.c", summary, options: [] }, (w) => {
      w.line('#include "types.h"', '#include "memlayout.h"');
      w.blank();
      w.c`
        #define EFI_SUCCESS          0
        #define EFI_ERROR(n)         ((1UL << 63) | (n))
        #define EFI_LOAD_ERROR       EFI_ERROR(1)
        #define EFI_BUFFER_TOO_SMALL EFI_ERROR(5)
        #define EFI_NOT_FOUND        EFI_ERROR(14)
        #define ALLOCATE_MAX_ADDRESS 1 /* EFI_ALLOCATE_TYPE: anywhere at or below *address */
        #define LOADER_DATA          2 /* EFI_MEMORY_TYPE: free again once the kernel runs */
        #define FILE_MODE_READ       1
        #define MAP_SLACK            8 /* memory-map descriptors of room for the map buffer's own allocation */
        #define FDT_MAGIC            0xd00dfeed
      `;
      w.blank();
      w.comment("The few UEFI types the stub uses (UEFI 2.x); members it never calls are plain pointers that keep the layout.");
      w.c`
        typedef uint64 efi_status;
        typedef void *efi_handle;
        typedef struct {
            uint32 a;
            uint16 b, c;
            uint8 d[8];
        } efi_guid;

        struct efi_text_output {
            void *reset;
            efi_status (*output_string)(struct efi_text_output *self, const uint16 *text);
        };

        struct efi_boot_services {
            uint8 header[24];
            void *raise_tpl, *restore_tpl;
            efi_status (*allocate_pages)(uint32 type, uint32 memory_type, uint64 pages, uint64 *address);
            void *free_pages;
            efi_status (*get_memory_map)(uint64 *size, void *map, uint64 *key, uint64 *desc_size, uint32 *desc_version);
            efi_status (*allocate_pool)(uint32 memory_type, uint64 size, void **buffer);
            void *free_pool, *create_event, *set_timer, *wait_for_event, *signal_event, *close_event, *check_event;
            void *install_protocol_interface, *reinstall_protocol_interface, *uninstall_protocol_interface;
            efi_status (*handle_protocol)(efi_handle handle, const efi_guid *protocol, void **interface);
            void *reserved, *register_protocol_notify, *locate_handle, *locate_device_path, *install_configuration_table;
            void *load_image, *start_image, *exit, *unload_image;
            efi_status (*exit_boot_services)(efi_handle image, uint64 map_key);
            void *get_next_monotonic_count, *stall, *set_watchdog_timer, *connect_controller, *disconnect_controller;
            void *open_protocol, *close_protocol, *open_protocol_information, *protocols_per_handle, *locate_handle_buffer;
            void *locate_protocol, *install_multiple_protocol_interfaces, *uninstall_multiple_protocol_interfaces, *calculate_crc32;
            void (*copy_mem)(void *dst, const void *src, uint64 len);
        };

        struct efi_config_table {
            efi_guid guid;
            void *table;
        };

        struct efi_system_table {
            uint8 header[24];
            uint16 *firmware_vendor;
            uint32 firmware_revision;
            efi_handle console_in_handle;
            void *con_in;
            efi_handle console_out_handle;
            struct efi_text_output *con_out;
            efi_handle standard_error_handle;
            void *std_err, *runtime_services;
            struct efi_boot_services *boot_services;
            uint64 nr_tables;
            struct efi_config_table *tables;
        };

        struct efi_loaded_image {
            uint32 revision;
            efi_handle parent;
            struct efi_system_table *system_table;
            efi_handle device;
        };

        struct efi_file {
            uint64 revision;
            efi_status (*open)(struct efi_file *self, struct efi_file **out, const uint16 *name, uint64 mode, uint64 attributes);
            efi_status (*close)(struct efi_file *self);
            void *delete_file;
            efi_status (*read)(struct efi_file *self, uint64 *size, void *buffer);
            void *write, *get_position, *set_position;
            efi_status (*get_info)(struct efi_file *self, const efi_guid *type, uint64 *size, void *buffer);
        };

        struct efi_file_system {
            uint64 revision;
            efi_status (*open_volume)(struct efi_file_system *self, struct efi_file **root);
        };

        struct efi_file_info {
            uint64 size, file_size, physical_size;
            uint8 times[48];
            uint64 attribute;
            uint16 name[64]; /* room for the name GetInfo appends */
        };
      `;
      w.blank();
      w.c`
        static const efi_guid fdt_guid = { 0xb1b621d5, 0xf19c, 0x41a5, { 0x83, 0x0b, 0xd9, 0x15, 0x2c, 0x69, 0xaa, 0xe0 } };
        static const efi_guid loaded_image_guid = { 0x5b1b31a1, 0x9562, 0x11d2, { 0x8e, 0x3f, 0x00, 0xa0, 0xc9, 0x69, 0x72, 0x3b } };
        static const efi_guid file_system_guid = { 0x964e5b22, 0x6459, 0x11d2, { 0x8e, 0x39, 0x00, 0xa0, 0xc9, 0x69, 0x72, 0x3b } };
        static const efi_guid file_info_guid = { 0x09576e92, 0x6d3f, 0x11d2, { 0x8e, 0x39, 0x00, 0xa0, 0xc9, 0x69, 0x72, 0x3b } };
      `;
      w.blank();
      w.comment("The image as linked (linker.ld), at wherever the firmware put it; boot.S's way into the copy, with the MMU off.");
      w.line("extern char __image_start[], __image_end[];", "void efi_enter_image(uint64 image, uint64 fdt, uint64 initrd, uint64 initrd_len) __attribute__((noreturn));");
      w.blank();
      w.comment("Say why the boot stops, on the firmware's console, and hand the status back to the firmware.");
      w.fn("static efi_status fail(struct efi_system_table *st, const uint16 *why, efi_status status)", () => {
        w.c`
          st->con_out->output_string(st->con_out, u"exo: uefi stub: ");
          st->con_out->output_string(st->con_out, why);
          st->con_out->output_string(st->con_out, u"\r\n");
          return status;
        `;
      });
      w.blank();
      w.comment("The configuration table with this GUID, or NULL.");
      w.fn("static void *find_table(struct efi_system_table *st, const efi_guid *guid)", () => {
        w.c`
          for (uint64 i = 0; i < st->nr_tables; i++) {
              const uint8 *a = (const uint8 *)&st->tables[i].guid, *b = (const uint8 *)guid;
              uint32 k = 0;
              while (k < sizeof(efi_guid) && a[k] == b[k])
                  k++;
              if (k == sizeof(efi_guid))
                  return st->tables[i].table;
          }
          return NULL;
        `;
      });
      w.blank();
      w.comment("len bytes of pages below DIRECT_MAP_SIZE (where the kernel's direct map reaches), starting at a multiple of align (a power of two, PGSIZE or more): the address, or 0.");
      w.fn("static uint64 allocate_low(struct efi_boot_services *bs, uint64 len, uint64 align)", () => {
        w.c`
          uint64 addr = DIRECT_MAP_SIZE - 1;
          uint64 pages = (len + align - 1) >> PGSHIFT; /* len rounded up to pages, plus room to align */
          if (bs->allocate_pages(ALLOCATE_MAX_ADDRESS, LOADER_DATA, pages, &addr) != EFI_SUCCESS)
              return 0;
          return (addr + align - 1) & ~(align - 1);
        `;
      });
      w.blank();
      w.comment(`Read ${INITRD_PATH.replace(/\\\\/g, "\\")} from the volume this image was loaded from into pages of its own: *start and *len.`);
      w.fn("static efi_status load_initrd(struct efi_system_table *st, efi_handle image, uint64 *start, uint64 *len)", () => {
        w.c`
          struct efi_boot_services *bs = st->boot_services;
          struct efi_loaded_image *loaded;
          struct efi_file_system *fs;
          struct efi_file *root, *file;
          struct efi_file_info info;
          uint64 size = sizeof(info), done = 0;
          if (bs->handle_protocol(image, &loaded_image_guid, (void **)&loaded) != EFI_SUCCESS || bs->handle_protocol(loaded->device, &file_system_guid, (void **)&fs) != EFI_SUCCESS ||
              fs->open_volume(fs, &root) != EFI_SUCCESS)
              return fail(st, u"cannot open the volume the image was loaded from", EFI_LOAD_ERROR);
          if (root->open(root, &file, u"${INITRD_PATH}", FILE_MODE_READ, 0) != EFI_SUCCESS)
              return fail(st, u"no ${INITRD_PATH} on the boot volume", EFI_NOT_FOUND);
          if (file->get_info(file, &file_info_guid, &size, &info) != EFI_SUCCESS || info.file_size == 0 || (*start = allocate_low(bs, info.file_size, PGSIZE)) == 0)
              return fail(st, u"cannot size or place ${INITRD_PATH}", EFI_LOAD_ERROR);
          while (done < info.file_size) {
              size = info.file_size - done;
              if (file->read(file, &size, (uint8 *)*start + done) != EFI_SUCCESS || size == 0)
                  return fail(st, u"cannot read ${INITRD_PATH}", EFI_LOAD_ERROR);
              done += size;
          }
          file->close(file);
          root->close(root);
          *len = info.file_size;
          return EFI_SUCCESS;
        `;
      });
      w.blank();
      w.comment(
        "Take the memory map and leave boot services with its key. The key changes when",
        "the firmware's memory changes in between (an event, the map buffer's own",
        "allocation), so a refused key is tried once more with a fresh map.",
      );
      w.fn("static efi_status exit_boot_services(struct efi_boot_services *bs, efi_handle image)", () => {
        w.c`
          uint64 room = 0, size, key, desc_size;
          uint32 desc_version;
          void *map = NULL;
          efi_status status = bs->get_memory_map(&room, NULL, &key, &desc_size, &desc_version);
          if (status != EFI_BUFFER_TOO_SMALL)
              return status;
          room += MAP_SLACK * desc_size;
          if ((status = bs->allocate_pool(LOADER_DATA, room, &map)) != EFI_SUCCESS)
              return status;
          for (int tries = 0; tries < 2; tries++) {
              size = room;
              if ((status = bs->get_memory_map(&size, map, &key, &desc_size, &desc_version)) != EFI_SUCCESS)
                  return status;
              if ((status = bs->exit_boot_services(image, key)) == EFI_SUCCESS)
                  break;
          }
          return status;
        `;
      });
      w.blank();
      w.comment(
        "Clean and invalidate [start, start + len) to the point of coherency, line by line",
        "(CTR_EL0.DminLine): what the MMU-off kernel reads must be in memory, and no",
        "dirty line may later overwrite what it writes there.",
      );
      w.fn("static void clean_to_poc(uint64 start, uint64 len)", () => {
        w.c`
          uint64 ctr;
          __asm__ volatile("mrs %0, ctr_el0" : "=r"(ctr));
          uint64 line = 4UL << ((ctr >> 16) & 0xf);
          for (uint64 a = start & ~(line - 1); a < start + len; a += line)
              __asm__ volatile("dc civac, %0" : : "r"(a) : "memory");
          __asm__ volatile("dsb sy" : : : "memory");
        `;
      });
      w.blank();
      w.comment(
        "The PE entry (boot.S's header names it): firmware calls it with the MMU on, the",
        "identity map, the image's handle and the system table. It returns only on failure,",
        "and the firmware then tries its next boot option.",
      );
      w.fn("efi_status efi_main(efi_handle image, struct efi_system_table *st)", () => {
        w.c`
          struct efi_boot_services *bs = st->boot_services;
          const uint8 *fdt = find_table(st, &fdt_guid);
          uint64 image_size = (uint64)(__image_end - __image_start), initrd, initrd_len, fdt_copy, kernel;
          efi_status status;
          /* A device tree starts with its magic, then its totalsize, both big-endian. */
          if (fdt == NULL || __builtin_bswap32(*(const uint32 *)fdt) != FDT_MAGIC)
              return fail(st, u"the firmware gave no device tree (QEMU: -machine acpi=off)", EFI_NOT_FOUND);
          if ((status = load_initrd(st, image, &initrd, &initrd_len)) != EFI_SUCCESS)
              return status;
          /* The copies lie where the kernel's direct map reaches. */
          uint64 fdt_len = __builtin_bswap32(*(const uint32 *)(fdt + 4));
          kernel = allocate_low(bs, image_size, BOOT_PAGE_SIZE);
          fdt_copy = allocate_low(bs, fdt_len, PGSIZE);
          if (kernel == 0 || fdt_copy == 0)
              return fail(st, u"no memory below the direct map's end for the kernel", EFI_LOAD_ERROR);
          bs->copy_mem((void *)fdt_copy, fdt, fdt_len);
          /* The image as loaded is the Image as linked (no relocations; this stub writes no global), bss zeroed, which boot.S does again. */
          bs->copy_mem((void *)kernel, __image_start, image_size);
          st->con_out->output_string(st->con_out, u"exo: uefi stub: ${INITRD_PATH} loaded, starting the kernel\r\n");
          if ((status = exit_boot_services(bs, image)) != EFI_SUCCESS)
              return status;
          clean_to_poc(kernel, image_size);
          clean_to_poc(fdt_copy, fdt_len);
          clean_to_poc(initrd, initrd_len);
          /* This image too: efi_enter_image runs from it with the caches off. */
          clean_to_poc((uint64)__image_start, image_size);
          efi_enter_image(kernel, fdt_copy, initrd, initrd_len);
        `;
      });
    });
  },
};
