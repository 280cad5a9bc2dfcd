import * as z from "zod/mini";
import { modelPriceSchema } from "./cost";
import { protocolSchema } from "./job";
import { MODEL_FAMILIES } from "./model-catalogue";

export * from "./model-catalogue";

export const modelFamilySchema = z.enum(MODEL_FAMILIES);

/** Which reference images a family takes (informational: our request carries one image). */
export const imageInputsSchema = z.object({
  firstFrame: z.boolean(),
  lastFrame: z.optional(z.boolean()),
  /** Several reference images (subject/asset references); undefined when unknown. */
  maxReferences: z.optional(z.int().check(z.minimum(0))),
});

const sizeString = z
  .string()
  .check(z.regex(/^\d{2,5}x\d{2,5}$/, "expected WIDTHxHEIGHT, e.g. 1280x720"));
const secondsString = z.pipe(
  z.pipe(
    z.union([z.string(), z.number()]),
    z.transform((v) => String(v)),
  ),
  z.string().check(z.regex(/^\d{1,3}$/, "expected whole seconds")),
);

export const modelInfoSchema = z.object({
  id: z.string(),
  family: modelFamilySchema,
  protocol: protocolSchema,
  /** Durations in seconds, as strings; the first one is the default. Chat models imply theirs by name. */
  durations: z.array(z.string()),
  /** Frame sizes `WxH`; the first one is the default. */
  sizes: z.array(z.string()),
  acceptsImage: z.boolean(),
  imageInputs: z.optional(imageInputsSchema),
  /** Generates sound; undefined when the public docs do not say (or it depends on the version). */
  audio: z.optional(z.boolean()),
  /** The relay can remix a finished video of this model (`POST /v1/videos/{id}/remix`). */
  remix: z.boolean(),
  /** Stable recommendation shown next to the model. */
  stable: z.boolean(),
  /** Parameters come from our catalogue (false: listed by the relay only, generic parameters). */
  known: z.boolean(),
  /** Listed by the relay's `/v1/models` (undefined when the relay was not asked or did not answer). */
  listed: z.optional(z.boolean()),
  shutdownDate: z.optional(z.string()),
  /** Message key under `models.notes` in the i18n files. */
  note: z.optional(z.string()),
  /** From SORA_PRICES (or the model's SORA_MODELS_FILE entry): drives the estimate before Generate. */
  price: z.optional(modelPriceSchema),
});
export type ModelInfo = z.infer<typeof modelInfoSchema>;

export const modelsResponseSchema = z.object({
  defaultModel: z.string(),
  models: z.array(modelInfoSchema),
  /** Why the relay's list could not be merged (code of the error), if it could not. */
  relayError: z.optional(z.string()),
});
export type ModelsResponse = z.infer<typeof modelsResponseSchema>;

/**
 * One entry of `SORA_MODELS_FILE` (a JSON array): `id` names one model (shown in the list),
 * `pattern` (a case-insensitive regular expression) maps relay-specific names. Fields left out
 * come from `family` (or from the family the name matches).
 */
export const operatorModelEntrySchema = z
  .strictObject({
    id: z.optional(z.string().check(z.trim(), z.minLength(1), z.maxLength(100))),
    pattern: z.optional(
      z.string().check(
        z.minLength(1),
        z.maxLength(200),
        z.refine((p) => {
          try {
            new RegExp(p, "i");
            return true;
          } catch {
            return false;
          }
        }, "not a valid regular expression"),
      ),
    ),
    family: z.optional(modelFamilySchema),
    protocol: z.optional(protocolSchema),
    durations: z.optional(z.array(secondsString).check(z.minLength(1))),
    sizes: z.optional(z.array(sizeString).check(z.minLength(1))),
    acceptsImage: z.optional(z.boolean()),
    imageInputs: z.optional(imageInputsSchema),
    audio: z.optional(z.boolean()),
    remix: z.optional(z.boolean()),
    stable: z.optional(z.boolean()),
    note: z.optional(z.string().check(z.maxLength(60))),
    shutdownDate: z.optional(z.string().check(z.maxLength(40))),
    price: z.optional(modelPriceSchema),
  })
  .check(
    z.refine((e) => (e.id === undefined) !== (e.pattern === undefined), {
      message: "each entry needs exactly one of id or pattern",
    }),
  );
export type OperatorModelEntry = z.infer<typeof operatorModelEntrySchema>;
export const operatorModelsFileSchema = z.array(operatorModelEntrySchema).check(z.maxLength(500));
