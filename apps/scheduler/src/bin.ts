import { twice } from "@content-sync/connectors"; console.log(twice());
