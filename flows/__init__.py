"""The newsflow Prefect flow (`newsflow.flows.newsflow`), where its work runs (`engine`), its
command line (`cli`) and the analysts' queries (`queries`)."""
